package io.iploop.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.node.AgentConfig;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Node state writes are queued for the store thread and run in batches (docs/scale.md#node-state-writes):
 * every node is still written connected and then disconnected, exactly once each and in that
 * order, on the store thread, including nodes that leave just before the hub closes and nodes
 * still connected when it closes.
 */
class NodeStateWritesIT {

    private static final int NODES = 12;

    private final Map<UUID, List<String>> writes = new ConcurrentHashMap<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<NodeAgent> agents = new ArrayList<>();
    private NodeHub hub;

    @AfterEach
    void stop() {
        agents.forEach(NodeAgent::close);
        if (hub != null) {
            hub.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Set when the hub starts closing: from then on writes may also run on close's or a closing session's thread. */
    private volatile boolean closing;

    private void record(UUID node, String what) {
        if (!closing) {
            threads.add(Thread.currentThread().getName());
        }
        writes.computeIfAbsent(node, k -> new CopyOnWriteArrayList<>()).add(what);
    }

    private static UUID id(String deviceId) {
        return UUID.nameUUIDFromBytes(deviceId.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyNodeIsWrittenConnectedThenDisconnectedOnceInOrder() throws Exception {
        NodeStore store = new NodeStore() {
            @Override
            public void connected(UUID nodeId, String ipAddress, Instant at) {
                record(nodeId, "connected");
            }

            @Override
            public void disconnected(UUID nodeId, Instant at) {
                record(nodeId, "disconnected");
            }

            @Override
            public void addCounters(List<NodeCounters> deltas) {}
        };
        hub = new NodeHub("127.0.0.1", 0, TunnelSettings.DEFAULTS,
                hello -> CompletableFuture.completedFuture(new NodeAdmission.Admitted(id(hello.deviceId()), UUID.randomUUID(),
                        "DE", null, null, 0, null, "wifi")),
                store, StickySessionStore.NONE, new SimpleMeterRegistry(), 100);
        hub.start(group, group);
        for (int i = 0; i < NODES; i++) {
            NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + hub.port() + "/ws"),
                    "ipn_" + "0123456789abcdef".repeat(3), "writes-" + i, "writes-" + i, "DE", null, null, 0, null, "wifi",
                    false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
            agents.add(a);
            a.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> writes.size() == NODES);

        // A third leaves and is written while the hub runs; another third leaves right before it closes
        // (their writes may still be queued); the rest are still connected when it closes.
        for (int i = 0; i < NODES / 3; i++) {
            agents.get(i).close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.values().stream().filter(w -> w.size() == 2).count() == NODES / 3);
        for (int i = NODES / 3; i < 2 * NODES / 3; i++) {
            agents.get(i).close();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(() -> hub.directory().connectedNodes().size() == NODES - 2 * NODES / 3);
        closing = true;
        hub.close();

        for (int i = 0; i < NODES; i++) {
            assertThat(writes.get(id("writes-" + i))).as("node writes-" + i).containsExactly("connected", "disconnected");
        }
        assertThat(threads).as("written from the store thread while the hub ran").isNotEmpty()
                .allMatch(t -> t.equals("iploop-node-store"));
    }
}
