package io.iploop.gateway.spi;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
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

    /**
     * IP-authorised access (docs/ip-authorised-access.md): the account that authorised
     * {@code clientAddress} (or a CIDR range holding it) to use the proxy without credentials.
     * Called for requests that carry no credentials at all; the gateway caches the outcome like
     * {@link #authenticate} (same expiry), so a removed authorisation stops working within it.
     * Same threading and failure rules as {@link #authenticate}.
     *
     * @param clientAddress the customer's IP as the gateway sees it
     * @return {@link AuthResult.Accepted} with the account (its {@link CustomerPrincipal#apiKeyId()}
     *     null) and the address's default targeting, or {@link AuthResult.Rejected} with
     *     {@code BAD_CREDENTIALS} when no account authorised the address (the default: no
     *     IP-authorised access)
     */
    default CompletionStage<AuthResult> authenticateAddress(InetAddress clientAddress) {
        return CompletableFuture.completedFuture(NOT_AUTHORISED);
    }

    /** The rejection of a request without credentials from an address no account authorised. */
    AuthResult NOT_AUTHORISED = new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS,
            "proxy credentials required (expected: Proxy-Authorization: Basic with CUSTOMER_ID:API_KEY,"
                    + " or a client IP authorised for access without credentials)");
}
