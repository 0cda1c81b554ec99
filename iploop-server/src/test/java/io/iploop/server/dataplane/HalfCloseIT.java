package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.gateway.testing.HttpHeads;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * TCP half-close through the real server's data plane (docs/protocol.md §4.6): a client sends a
 * CONNECT with its payload, shuts down its write side and reads to EOF, through a real node agent
 * to an origin that answers only after EOF. The customer gets the whole answer, and the usage
 * record bills exactly the bytes that crossed the customer socket, both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class HalfCloseIT {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    private NodeAgent agent;
    private ServerSocket origin;
    private String customerId;
    private String key;
    private DataPlane.Ports ports;

    @BeforeAll
    void enrollNodeAndCustomer() throws Exception {
        ports = dataPlane.ports().orElseThrow();
        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "half-close")).body().get("key").asString();
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, "hc-node",
                "hc-node", "DE", null, "Berlin", 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
        JsonNode customer = registerUnlimitedCustomer();
        customerId = customer.at("/user/customerId").asString();
        key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "half-close")).body().get("key").asString();
        origin = echoUntilEofOrigin();
    }

    @AfterAll
    void stop() throws IOException {
        agent.close();
        origin.close();
    }

    /** Reads every byte until the client's FIN, then sends them back and closes. */
    private static ServerSocket echoUntilEofOrigin() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            byte[] in = s.getInputStream().readAllBytes();
                            s.getOutputStream().write(in);
                        } catch (IOException e) {
                            // the test sees a short answer
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss;
    }

    @Test
    void halfClosedConnectGetsTheWholeAnswerAndIsMeteredExactly() throws Exception {
        byte[] payload = new byte[700 * 1024 + 3];
        new Random(7).nextBytes(payload);
        String target = "127.0.0.1:" + origin.getLocalPort();
        String auth = Base64.getEncoder().encodeToString((customerId + ":" + key + "-country-DE").getBytes(StandardCharsets.US_ASCII));
        byte[] request = ("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        String head;
        byte[] answer;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ports.httpProxy())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            InputStream in = s.getInputStream();
            head = HttpHeads.read(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            out.write(payload);
            s.shutdownOutput();
            answer = in.readAllBytes();
        }
        assertThat(Arrays.mismatch(answer, payload)).as("answer of %d bytes, %d sent", answer.length, payload.length).isEqualTo(-1);

        long uploaded = request.length + payload.length;
        long downloaded = head.length() + answer.length;
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE target_host = '127.0.0.1' AND proxy_type = 'http' AND success
                AND bytes_uploaded = ? AND bytes_downloaded = ?
                """).params(uploaded, downloaded).query(Long.class).single()).isEqualTo(1));
    }

}
