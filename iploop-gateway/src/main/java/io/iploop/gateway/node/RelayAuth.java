package io.iploop.gateway.node;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The relay link's proof of membership (docs/deploy.md#cross-gateway-relay):
 * {@code gatewayId.epochSecond.nonce.mac} with {@code mac} =
 * base64url(HMAC-SHA256(cluster secret, "iploop-relay-v2 role gatewayId epochSecond nonce")) and a
 * random 96-bit {@code nonce}. The connecting gateway sends one for role {@code client} in its
 * WebSocket upgrade request; the accepting gateway answers with one for role {@code server} in its
 * HELLO, so each end proves it holds the secret and a token of one role cannot be reflected as the
 * other. A token is valid for {@link #MAX_SKEW_SECONDS} either side of the receiver's clock and
 * <em>once</em>: a receiver refuses a nonce it has accepted before, so a token read off the network
 * cannot open a second link (which could open streams on nodes with nobody metered for them).
 * Thread-safe.
 */
final class RelayAuth {

    /** Clock skew tolerated between gateways, in seconds. */
    static final long MAX_SKEW_SECONDS = 120;
    /** The upgrade request header carrying the client's token. */
    static final String HEADER = "X-IPLoop-Relay-Auth";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** Accepted nonces at which the expired ones are swept. */
    private static final int SWEEP_AT = 256;

    private final byte[] secret;
    private final LongSupplier epochSeconds;
    /** Nonce → epoch second after which its token is stale anyway. Only tokens made with the secret get here. */
    private final ConcurrentHashMap<String, Long> accepted = new ConcurrentHashMap<>();

    RelayAuth(byte[] secret) {
        this(secret, () -> System.currentTimeMillis() / 1000);
    }

    /** @param epochSeconds the clock, seconds since the epoch (tests) */
    RelayAuth(byte[] secret, LongSupplier epochSeconds) {
        this.secret = secret.clone();
        this.epochSeconds = epochSeconds;
    }

    /** A new token for {@code role} ("client" or "server") of {@code gatewayId}, made now. */
    String token(String role, String gatewayId) {
        long now = epochSeconds.getAsLong();
        byte[] n = new byte[12];
        RANDOM.nextBytes(n);
        String nonce = B64.encodeToString(n);
        return gatewayId + "." + now + "." + nonce + "." + mac(role, gatewayId, now, nonce);
    }

    /**
     * Checks a token for {@code role} and uses it up.
     *
     * @return the sender's gateway id, or null when the token is malformed, stale, not made with the
     *     cluster secret, or was accepted before
     */
    @Nullable String verify(@Nullable String token, String role) {
        if (token == null || token.length() > 200) {
            return null;
        }
        // From the right: the gateway id is everything before the last three fields.
        int c = token.lastIndexOf('.');
        int b = c > 0 ? token.lastIndexOf('.', c - 1) : -1;
        int a = b > 0 ? token.lastIndexOf('.', b - 1) : -1;
        if (a <= 0 || b <= a + 1 || c <= b + 1 || c == token.length() - 1) {
            return null;
        }
        String gatewayId = token.substring(0, a);
        String nonce = token.substring(b + 1, c);
        long at;
        try {
            at = Long.parseLong(token.substring(a + 1, b));
        } catch (NumberFormatException e) {
            return null;
        }
        long now = epochSeconds.getAsLong();
        if (Math.abs(now - at) > MAX_SKEW_SECONDS) {
            return null;
        }
        byte[] expected = mac(role, gatewayId, at, nonce).getBytes(StandardCharsets.US_ASCII);
        byte[] got = token.substring(c + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, got)) {
            return null;
        }
        if (accepted.size() >= SWEEP_AT) {
            accepted.values().removeIf(staleAfter -> staleAfter < now);
        }
        return accepted.putIfAbsent(nonce, at + MAX_SKEW_SECONDS) == null ? gatewayId : null;
    }

    private String mac(String role, String gatewayId, long epochSecond, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] out = mac.doFinal(("iploop-relay-v2 " + role + " " + gatewayId + " " + epochSecond + " " + nonce)
                    .getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
