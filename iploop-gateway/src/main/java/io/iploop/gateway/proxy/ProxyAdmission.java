package io.iploop.gateway.proxy;

import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A listener's own admission on top of the plan check ({@link ProxyAuthentication#admit}): the
 * upstream pool's per-account limits on pool ports (docs/upstream-pool.md#limits). {@link #prepare}
 * loads what {@link #admit} needs off the event loop once per account; {@link #admit} then runs on
 * the connection's event loop for every request and must never block. Implementations are thread-safe.
 */
public interface ProxyAdmission {

    /** Admits everything: the residential listeners. */
    ProxyAdmission NONE = new ProxyAdmission() {
        @Override
        public CompletableFuture<@Nullable Void> prepare(CustomerPrincipal principal) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public @Nullable Refusal admit(Channel channel, ProxyConnection connection, CustomerPrincipal principal) {
            return null;
        }
    };

    /**
     * Loads the account's state for {@link #admit}; called after the credentials were accepted.
     *
     * @return completes when {@link #admit} can decide without blocking; exceptionally when the
     *     state is unavailable (the request is answered 503 {@code auth_unavailable})
     */
    CompletableFuture<@Nullable Void> prepare(CustomerPrincipal principal);

    /**
     * Checks one request of {@code principal} on {@code channel} (after the plan check passed), on
     * the channel's event loop. A connection admitted once may hold a slot until it closes.
     *
     * @return null if the request may proceed
     */
    @Nullable Refusal admit(Channel channel, ProxyConnection connection, CustomerPrincipal principal);
}
