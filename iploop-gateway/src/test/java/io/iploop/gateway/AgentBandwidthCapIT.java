package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's bandwidth cap as a customer sees it (docs/node-agent.md#bandwidth-limit): a real
 * gateway, one real agent with {@code bandwidth-limit-mbps} 1, a real origin and two curls through
 * the agent at once, one downloading 1 MiB and one uploading 1 MiB. Each runs at about 125 000
 * bytes/s: the bounds (100 000 to 150 000) hold on a busy 2-core machine, reject a missing or loose
 * cap (above) and reject a cap that carries half its rate (about 62 500 bytes/s, below), which is
 * what the cap once did to each direction when both shared one budget.
 */
class AgentBandwidthCapIT {

    private static final String CUSTOMER = "cust_test";
    private static final String KEY = "iploop_" + "cd".repeat(24);
    private static final int MIB = 1024 * 1024;

    private Gateway gateway;
    private TestOrigin origin;
    private NodeAgent agent;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.http();
        UUID user = UUID.randomUUID();
        UUID nodeId = UUID.randomUUID();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(user, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(
                        new NodeAdmission.Admitted(nodeId, user, "DE", null, "berlin", 3320, null, "wifi")))
                .usageSink(records -> {})
                .nodeStore(NodeStore.NONE)
                .build();
        gateway.start();
        String nodeKey = "ipn_" + UUID.randomUUID().toString().replace("-", "") + "0".repeat(16);
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"), nodeKey,
                "capped-1", "capped-1", "DE", null, "berlin", 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        agent.limitBandwidth(1);
        agent.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        origin.close();
    }

    @Test
    void aOneMegabitCapCarriesAbout125KilobytesPerSecondEachWayAtOnce() throws Exception {
        Path upload = Files.createTempFile("iploop-upload", ".bin");
        Files.write(upload, TestOrigin.expectedBytes(MIB));
        String proxy = "http://" + CUSTOMER + ":" + KEY + "@127.0.0.1:" + gateway.httpProxyPort();
        // An upload through the same agent at the same time: each direction has the whole rate.
        CompletableFuture<Curl.Result> up = CompletableFuture.supplyAsync(() -> curl("-x", proxy,
                "--data-binary", "@" + upload, "-H", "Content-Type: application/octet-stream", "-H", "Expect:", origin.url("/headers")));
        Curl.Result down = curl("-x", proxy, origin.url("/bytes/" + MIB));
        Curl.Result uploaded = up.get(60, TimeUnit.SECONDS);
        Files.delete(upload);

        assertThat(down.status()).isEqualTo(200);
        assertThat(down.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(MIB));
        assertThat(uploaded.status()).isEqualTo(200);
        assertThat(uploaded.sizeUpload()).isEqualTo(MIB);
        // Rates over the body (after the first response byte): connecting, authenticating and
        // opening the stream are not the cap's doing and take a while on a loaded machine.
        double downRate = MIB / (down.secondsTotal() - down.secondsToFirstByte());
        // The upload ends with the origin's response, right after its last byte.
        double upRate = MIB / uploaded.secondsTotal();
        System.out.printf("1 MiB each way at once through a 1 Mbit/s agent: down %.2f s after %.2f s (%.0f bytes/s), up %.2f s (%.0f bytes/s)%n",
                down.secondsTotal() - down.secondsToFirstByte(), down.secondsToFirstByte(), downRate, uploaded.secondsTotal(), upRate);
        assertThat(downRate).as("download bytes/s through a 1 Mbit/s cap (125 000 nominal)").isBetween(100_000.0, 150_000.0);
        assertThat(upRate).as("upload bytes/s through a 1 Mbit/s cap (125 000 nominal)").isBetween(100_000.0, 150_000.0);
    }

    private static Curl.Result curl(String... args) {
        try {
            return Curl.run(args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
