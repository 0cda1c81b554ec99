package io.iploop.gateway.spi;

import java.net.InetAddress;
import java.util.concurrent.CompletionStage;

/**
 * Checks a customer's proxy credentials (docs/product/proxy.md#credentials): {@code username} is
 * the customer's public
 * customer id, {@code apiKey} the {@code iploop_…} key with the targeting parameters already
 * stripped. The gateway wraps this in a cache with a 5 s expiry, so a disabled key stops
 * working within 5 s; implementations may therefore block (they are called off the event loop)
 * but must be thread-safe.
 */
public interface ProxyAuthenticator {

    /**
     * @param customerId the proxy username (public customer id), never empty
     * @param apiKeySha256Hex lowercase hex SHA-256 of the API key; the raw key is never passed on
     * @param clientAddress the customer's IP, for key and account IP whitelists
     * @return the outcome; never completes exceptionally for a wrong key (that is a
     *     {@link AuthResult.Rejected}); completes exceptionally only when the store is unavailable
     */
    CompletionStage<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress clientAddress);
}
