package io.iploop.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on HELLO admissions (docs/scale.md#admissions): with one admission thread and one
 * queued HELLO, a third agent arriving while the control plane is slow is answered 4503 "busy,
 * retry later" at once instead of waiting for a database connection; it backs off and is admitted
 * once the admissions drained.
 */
class NodeAdmissionBoundIT {

    private final CountDownLatch controlPlaneSlow = new CountDownLatch(1);
    private final AtomicInteger lookups = new AtomicInteger();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<NodeAgent> agents = new ArrayList<>();
    private NodeHub hub;

    @AfterEach
    void stop() {
        controlPlaneSlow.countDown();
        agents.forEach(NodeAgent::close);
        if (hub != null) {
            hub.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private NodeAgent agent(String deviceId) {
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + hub.port() + "/ws"),
                "ipn_" + "0123456789abcdef".repeat(3), deviceId, deviceId, "DE", null, null, 0, null, "wifi", false, true,
                List.of(), List.of(), TunnelSettings.DEFAULTS));
        agents.add(a);
        a.start();
        return a;
    }

    @Test
    void aHelloBeyondTheAdmissionQueueIsToldToRetryAndIsAdmittedLater() throws Exception {
        hub = new NodeHub("127.0.0.1", 0, TunnelSettings.DEFAULTS, hello -> {
            lookups.incrementAndGet();
            try {
                // A control plane whose database is slow: the lookup blocks its admission thread.
                controlPlaneSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.completedFuture(new NodeAdmission.Admitted(UUID.randomUUID(), UUID.randomUUID(), "DE",
                    null, null, 0, null, "wifi"));
        }, NodeStore.NONE, StickySessionStore.NONE, meters, 100, 1, 1);
        hub.start(group, group);

        NodeAgent running = agent("bound-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> lookups.get() == 1);
        NodeAgent queued = agent("bound-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.sessionsHeld() == 2);
        NodeAgent third = agent("bound-3");

        await().atMost(Duration.ofSeconds(10)).until(
                () -> meters.get("iploop.nodes.refused").tag("reason", "busy").counter().count() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> third.status().state() == AgentStatus.State.BACKING_OFF);
        assertThat(third.status().lastError()).contains("busy admitting nodes").contains("retry later");
        assertThat(lookups.get()).as("the refused HELLO never reached the control plane").isEqualTo(1);

        controlPlaneSlow.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> running.status().state() == AgentStatus.State.CONNECTED
                && queued.status().state() == AgentStatus.State.CONNECTED);
        await().atMost(Duration.ofSeconds(30)).until(() -> third.status().state() == AgentStatus.State.CONNECTED);
        assertThat(hub.directory().connectedNodes()).hasSize(3);
    }
}
