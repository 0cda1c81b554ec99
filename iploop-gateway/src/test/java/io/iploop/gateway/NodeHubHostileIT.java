package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node hub before admission, over real sockets: unadmitted connections are limited per source
 * IP, and a WebSocket upgrade trickled in byte by byte is closed at the handshake deadline
 * (docs/protocol.md §3).
 */
@Timeout(120)
class NodeHubHostileIT {

    static Gateway gateway;
    static SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(new RecordingUsageSink())
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(new NodeAdmission.Refused("unknown node key")))
                .nodeStore(NodeStore.NONE)
                .meterRegistry(meters)
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static double refused(String reason) {
        return meters.get("iploop.nodes.handshakes.refused").tag("reason", reason).counter().count();
    }

    /** True once the peer closed {@code s} (end of stream or reset) within {@code millis}. */
    static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aFloodOfUnadmittedConnectionsFromOneIpIsClosedAtAccept() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                sockets.add(new Socket(InetAddress.getLoopbackAddress(), gateway.nodeHubPort()));
            }
            int closed = 0;
            for (Socket s : sockets) {
                if (closedWithin(s, 200)) {
                    closed++;
                }
            }
            assertThat(closed).as("connections beyond the per-IP limits are closed at once").isGreaterThanOrEqualTo(60 - 32);
            assertThat(refused("concurrent") + refused("rate")).isGreaterThanOrEqualTo(60 - 32);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void anUpgradeTrickledInByteByByteIsClosedAtTheHandshakeDeadline() throws Exception {
        await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(1100)).until(() -> true); // a fresh rate second
        byte[] upgrade = ("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.nodeHubPort())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            boolean closed = false;
            for (int i = 0; i < upgrade.length && !closed; i++) {
                try {
                    out.write(upgrade[i]);
                    out.flush();
                } catch (IOException reset) {
                    closed = true;
                    break;
                }
                closed = closedWithin(s, 500);
            }
            assertThat(closed).as("closed within the deadline although bytes kept coming").isTrue();
            assertThat(in.available()).isZero();
        }
        assertThat(refused("deadline")).isGreaterThanOrEqualTo(1);
    }
}
