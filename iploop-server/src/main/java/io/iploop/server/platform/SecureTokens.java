package io.iploop.server.platform;

import io.iploop.gateway.spi.KeyHashes;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random tokens and hashes for secrets that are shown once and stored as SHA-256 only (API keys,
 * node keys; docs/security.md#accounts-and-access-the-control-plane), so a database leak yields no
 * working credentials. Thread-safe.
 */
public final class SecureTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private SecureTokens() {
    }

    /** {@code byteCount} random bytes as lowercase hex ({@code 2 * byteCount} characters). */
    public static String randomHex(int byteCount) {
        byte[] bytes = new byte[byteCount];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** {@code length} random characters of the lowercase RFC 4648 base32 alphabet (5 bits each). */
    public static String randomBase32(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return sb.toString();
    }

    /** {@code byteCount} random bytes. */
    public static byte[] randomBytes(int byteCount) {
        byte[] bytes = new byte[byteCount];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * Lowercase hex SHA-256 of the UTF-8 bytes of {@code value}: the gateway's
     * {@link KeyHashes#sha256Hex}, so keys stored here match the hashes the gateway looks up.
     */
    public static String sha256Hex(String value) {
        return KeyHashes.sha256Hex(value);
    }
}
