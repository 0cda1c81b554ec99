package io.iploop.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.ProxyAuthenticator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The auth cache while the credential store is down (docs/operations.md#when-the-database-is-down). */
class ProxyAuthCacheTest {

    static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
    static final AuthResult ACCEPTED = new AuthResult.Accepted(new CustomerPrincipal(UUID.randomUUID(), "c_a", UUID.randomUUID()));
    static final AuthResult REJECTED = new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "revoked");

    enum Store { ACCEPT, REJECT, DOWN, HANGS }

    /** An authenticator whose store can be switched off. */
    static final class SwitchableStore implements ProxyAuthenticator {
        volatile Store state = Store.ACCEPT;

        @Override
        public CompletionStage<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress clientAddress) {
            return switch (state) {
                case ACCEPT -> CompletableFuture.completedFuture(ACCEPTED);
                case REJECT -> CompletableFuture.completedFuture(REJECTED);
                case DOWN -> CompletableFuture.failedFuture(new IllegalStateException("database down (test)"));
                case HANGS -> new CompletableFuture<>();
            };
        }
    }

    final ExecutorService executor = Executors.newFixedThreadPool(2);
    final SwitchableStore store = new SwitchableStore();
    final ProxyAuthCache cache = new ProxyAuthCache(store, Duration.ofMillis(20), executor);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    AuthResult auth(String key) throws Exception {
        return cache.authenticate("c_a", key, CLIENT).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aKnownCustomerKeepsWorkingWhileTheStoreIsDown() throws Exception {
        assertThat(auth("k1")).isEqualTo(ACCEPTED);
        store.state = Store.DOWN;
        Thread.sleep(50); // past the TTL: a fresh check is needed, and fails
        assertThat(auth("k1")).isEqualTo(ACCEPTED);
    }

    @Test
    void aKnownCustomerDoesNotWaitLongForAStoreThatHangs() throws Exception {
        assertThat(auth("k1")).isEqualTo(ACCEPTED);
        store.state = Store.HANGS;
        Thread.sleep(50);
        long t0 = System.nanoTime();
        assertThat(auth("k1")).isEqualTo(ACCEPTED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(ProxyAuthCache.STALE_WAIT.plusSeconds(5));
    }

    @Test
    void credentialsNeverAcceptedFailWhileTheStoreIsDown() {
        store.state = Store.DOWN;
        assertThatThrownBy(() -> auth("new-key")).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("database down (test)");
    }

    @Test
    void aRejectionEndsTheFallback() throws Exception {
        assertThat(auth("k1")).isEqualTo(ACCEPTED);
        store.state = Store.REJECT;
        Thread.sleep(50);
        assertThat(auth("k1")).isEqualTo(REJECTED);
        store.state = Store.DOWN;
        Thread.sleep(50);
        assertThatThrownBy(() -> auth("k1")).isInstanceOf(ExecutionException.class);
    }
}
