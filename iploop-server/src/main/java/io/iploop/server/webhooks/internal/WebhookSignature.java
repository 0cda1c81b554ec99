package io.iploop.server.webhooks.internal;

import io.iploop.server.platform.SecureTokens;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (docs/integrations/webhooks.md#signature, standardwebhooks.com): the
 * secret is {@code whsec_} + base64 of 32 random bytes, and {@code webhook-signature} is
 * {@code v1,} + base64 of HMAC-SHA256 over {@code <webhook-id>.<webhook-timestamp>.<body>} keyed
 * with the secret's decoded bytes. Stateless and thread-safe.
 */
final class WebhookSignature {

    static final String SECRET_PREFIX = "whsec_";
    private static final int SECRET_BYTES = 32;

    private WebhookSignature() {}

    /** A new random secret. */
    static String newSecret() {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(SecureTokens.randomBytes(SECRET_BYTES));
    }

    /**
     * The {@code webhook-signature} header value for one delivery.
     *
     * @param timestampSeconds the {@code webhook-timestamp}: Unix seconds
     * @throws IllegalArgumentException if {@code secret} is not {@code whsec_<base64>}
     */
    static String sign(String secret, String messageId, long timestampSeconds, String body) {
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("webhook secret must start with " + SECRET_PREFIX);
        }
        byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((messageId + "." + timestampSeconds + "." + body)
                    .getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
