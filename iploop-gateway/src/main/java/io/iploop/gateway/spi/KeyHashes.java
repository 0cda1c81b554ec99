package io.iploop.gateway.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one hash of secrets shared by the gateway and its host: API keys and node keys are stored by
 * the host and looked up by the gateway ({@link ProxyAuthenticator}, {@link NodeAuthenticator}) as
 * lower-case hex SHA-256 (FIPS 180-4) of their UTF-8 bytes, so both sides must compute it the same
 * way, byte for byte. Stateless, thread-safe.
 */
public final class KeyHashes {

    private KeyHashes() {}

    /**
     * Lower-case hex SHA-256 of the UTF-8 bytes of {@code text}: 64 characters of {@code [0-9a-f]}.
     *
     * @throws IllegalStateException if the JDK lacks SHA-256 (never on a conforming JDK)
     */
    public static String sha256Hex(String text) {
        MessageDigest md;
        try {
            // A clone of a never-used prototype: no provider lookup per call (it runs on every
            // proxy request's credential check, cache hit or not).
            md = (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            md = newSha256();
        }
        return HEX.formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final MessageDigest SHA256 = newSha256();

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
