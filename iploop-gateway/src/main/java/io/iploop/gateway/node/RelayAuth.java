package io.iploop.gateway.node;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The relay link's proof of membership (docs/deploy.md#cross-gateway-relay): {@code gatewayId.epochSecond.mac}
 * with {@code mac} = base64url(HMAC-SHA256(cluster secret, "iploop-relay-v1 role gatewayId epochSecond")).
 * The connecting gateway sends one for role {@code client} in its WebSocket upgrade request; the
 * accepting gateway answers with one for role {@code server} in its HELLO, so each end proves it
 * holds the secret and a token of one role cannot be reflected as the other. A token is valid for
 * {@link #MAX_SKEW_SECONDS} either side of the receiver's clock. Stateless, thread-safe.
 */
final class RelayAuth {

    /** Clock skew tolerated between gateways, in seconds. */
    static final long MAX_SKEW_SECONDS = 120;
    /** The upgrade request header carrying the client's token. */
    static final String HEADER = "X-IPLoop-Relay-Auth";

    private final byte[] secret;

    RelayAuth(byte[] secret) {
        this.secret = secret.clone();
    }

    /** A token for {@code role} ("client" or "server") of {@code gatewayId}, made now. */
    String token(String role, String gatewayId) {
        long now = System.currentTimeMillis() / 1000;
        return gatewayId + "." + now + "." + mac(role, gatewayId, now);
    }

    /**
     * Checks a token for {@code role}.
     *
     * @return the sender's gateway id, or null when the token is malformed, stale or not made with
     *     the cluster secret
     */
    @Nullable String verify(@Nullable String token, String role) {
        if (token == null || token.length() > 200) {
            return null;
        }
        int a = token.indexOf('.');
        int b = token.indexOf('.', a + 1);
        if (a <= 0 || b <= a + 1) {
            return null;
        }
        String gatewayId = token.substring(0, a);
        long at;
        try {
            at = Long.parseLong(token.substring(a + 1, b));
        } catch (NumberFormatException e) {
            return null;
        }
        if (Math.abs(System.currentTimeMillis() / 1000 - at) > MAX_SKEW_SECONDS) {
            return null;
        }
        byte[] expected = mac(role, gatewayId, at).getBytes(StandardCharsets.US_ASCII);
        byte[] got = token.substring(b + 1).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, got) ? gatewayId : null;
    }

    private String mac(String role, String gatewayId, long epochSecond) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] out = mac.doFinal(("iploop-relay-v1 " + role + " " + gatewayId + " " + epochSecond)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
