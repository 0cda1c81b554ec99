package io.iploop.server.webhooks;

import java.util.Base64;

/** Test helper: another well-formed secret than the one given. */
final class WebhookSignatureSecrets {

    private WebhookSignatureSecrets() {}

    static String other(String secret) {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        key[0] ^= 1;
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
