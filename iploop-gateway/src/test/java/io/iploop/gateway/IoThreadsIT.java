package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * How many event loop threads carry a started gateway's connections (docs/operations.md#io-threads):
 * one per core by default, exactly the number asked for otherwise.
 */
class IoThreadsIT {

    @Test
    void oneLoopPerCoreByDefault() throws Exception {
        try (Gateway gateway = started(builder())) {
            assertThat(loops(gateway)).isEqualTo(Runtime.getRuntime().availableProcessors())
                    .isEqualTo(Gateway.defaultIoThreads());
        }
    }

    @Test
    void ioThreadsSetsTheNumberOfLoops() throws Exception {
        try (Gateway gateway = started(builder().ioThreads(3))) {
            assertThat(loops(gateway)).isEqualTo(3);
        }
    }

    @Test
    void aNegativeCountIsRefusedNamingIt() {
        assertThatThrownBy(() -> builder().ioThreads(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ioThreads: -1");
    }

    private static Gateway.Builder builder() {
        return Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "no customers here")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(new NodeAdmission.Admitted(
                        UUID.randomUUID(), UUID.randomUUID(), "DE", null, "berlin", 3320, null, "wifi")))
                .usageSink(records -> { })
                .nodeStore(NodeStore.NONE);
    }

    private static Gateway started(Gateway.Builder builder) throws Exception {
        Gateway gateway = builder.build();
        gateway.start();
        return gateway;
    }

    private static long loops(Gateway gateway) {
        return StreamSupport.stream(gateway.workerGroup().spliterator(), false).count();
    }
}
