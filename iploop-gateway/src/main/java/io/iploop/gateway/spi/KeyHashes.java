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
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
