package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.gateway.tls.SelfSignedCertificates;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node agents over {@code wss://} (docs/tls.md, docs/node-agent.md#tls): a real gateway whose node
 * hub also listens with TLS, real {@link NodeAgent}s trusting its self-signed certificate through a
 * CA file (or not), a real origin and curl through the HTTPS proxy and the agent.
 */
@Timeout(120)
class NodeHubTlsIT {

    private static final String CUSTOMER = "cust_tls";
    private static final String KEY = "iploop_" + "cd".repeat(24);
    private static final String NODE_KEY = "ipn_" + "ef".repeat(24);
    private static final UUID USER = UUID.randomUUID();

    @TempDir
    Path dir;

    private final List<UsageRecord> usage = new CopyOnWriteArrayList<>();
    private final List<NodeAgent> agents = new ArrayList<>();
    private Gateway gateway;
    private TestOrigin origin;
    private SelfSignedCertificates.Pair cert;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.http();
        cert = SelfSignedCertificates.ensure(dir, List.of());
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(USER, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(
                        hello.nodeKeySha256Hex().equals(KeyHashes.sha256Hex(NODE_KEY))
                                ? new NodeAdmission.Admitted(UUID.nameUUIDFromBytes(hello.deviceId().getBytes()), USER,
                                        "DE", null, "berlin", 3320, null, "wifi")
                                : new NodeAdmission.Refused("unknown node key")))
                .usageSink(usage::addAll)
                .nodeStore(NodeStore.NONE)
                .tls(new TlsListeners(0, TlsListeners.OFF, 0, cert.certFile(), cert.keyFile(), Duration.ofSeconds(1)))
                .build();
        gateway.start();
    }

    @AfterEach
    void stop() {
        agents.forEach(NodeAgent::close);
        gateway.close();
        origin.close();
    }

    private NodeAgent agent(String deviceId, String host, Path ca) {
        AgentConfig config = new AgentConfig(URI.create("wss://" + host + ":" + gateway.nodeHubTlsPort() + "/ws"), NODE_KEY,
                deviceId, deviceId, "DE", null, "berlin", 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS).withGatewayCa(ca);
        NodeAgent agent = new NodeAgent(config);
        agent.start();
        agents.add(agent);
        return agent;
    }

    @Test
    void anAgentTrustingTheGatewaysCertificateCarriesTrafficOverWss() throws Exception {
        NodeAgent agent = agent("tls-1", "127.0.0.1", cert.certFile());
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
        assertThat(gateway.nodes().connectedNodes()).hasSize(1);

        byte[] expected = TestOrigin.expectedBytes(1 << 20);
        Curl.Result r = Curl.run("--proxy", "https://localhost:" + gateway.httpsProxyPort(), "--proxy-cacert",
                cert.certFile().toString(), "--proxy-user", CUSTOMER + ":" + KEY + "-debug-1",
                origin.url("/bytes/" + expected.length));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-IPLoop-Country")).isEqualTo("DE");
        assertThat(r.bodyBytes()).isEqualTo(expected);
        assertThat(agent.status().bytesCarried()).isGreaterThanOrEqualTo(expected.length);
        await().atMost(Duration.ofSeconds(10)).until(() -> !usage.isEmpty());
        assertThat(usage.getFirst().nodeId()).isNotNull();
        assertThat(usage.getFirst().bytesDownloaded()).isEqualTo(r.sizeHeader() + r.sizeDownload());
    }

    @Test
    void anAgentThatDoesNotTrustTheCertificateDoesNotConnect() throws Exception {
        Path otherDir = dir.resolve("other");
        SelfSignedCertificates.Pair other = SelfSignedCertificates.ensure(otherDir, List.of());
        NodeAgent agent = agent("tls-2", "127.0.0.1", other.certFile());
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().lastError() != null);
        assertThat(agent.status().state()).isNotEqualTo(AgentStatus.State.CONNECTED);
        assertThat(gateway.nodes().connectedNodes()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.meterRegistry()
                .get("iploop.nodes.tls.handshake.failures").counter().count() >= 1);
    }
}
