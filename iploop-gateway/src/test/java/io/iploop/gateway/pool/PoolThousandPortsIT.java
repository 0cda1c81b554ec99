package io.iploop.gateway.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.Gateway;
import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.TestSupport;
import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolPortStatus;
import io.iploop.gateway.spi.PoolReload;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.gateway.testing.TestUpstreamProxy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1,000 upstreams served on 1,000 pool ports by one gateway (docs/upstream-pool.md#ports-and-protocols):
 * every port bound and answering, and what the ports cost in heap and resident memory (printed;
 * the budget is 50 MiB for 1,000 listening ports).
 */
@Timeout(180)
class PoolThousandPortsIT {

    @Test
    void aThousandPortsAreBoundServedAndCheap() throws Exception {
        int base = 30000 + ThreadLocalRandom.current().nextInt(2) * 1000;
        List<PoolUpstream> upstreams = new CopyOnWriteArrayList<>();
        PoolGrant open = new PoolGrant(List.of(), 0, 0, 0, 0, 0, 0, AccountLimits.UNLIMITED_BYTES, null);
        try (TestOrigin origin = TestOrigin.http();
                TestUpstreamProxy upstream = TestUpstreamProxy.start(TestUpstreamProxy.Kind.HTTP, "u", "p");
                Gateway gateway = Gateway.builder(GatewayConfig.forTests())
                        .proxyAuthenticator(new InMemoryAuthenticator())
                        .usageSink(new RecordingUsageSink())
                        .directExit(true)
                        .withoutNodeHub()
                        .poolUpstreams(() -> List.copyOf(upstreams))
                        .poolAccess(userId -> open)
                        .poolPortRange(base, base + 999)
                        .build()) {
            gateway.start();
            long[] before = memory();
            for (int i = 0; i < 1000; i++) {
                upstreams.add(new PoolUpstream(base + i, PoolUpstream.Scheme.HTTP, "127.0.0.1", upstream.port(), "u", "p"));
            }
            long t0 = System.nanoTime();
            PoolReload r = gateway.reloadPool().get(120, TimeUnit.SECONDS);
            long bindMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.failures()).isEmpty();
            assertThat(r.added()).isEqualTo(1000);
            long[] after = memory();
            List<PoolPortStatus> status = gateway.poolStatus();
            assertThat(status).hasSize(1000).allMatch(s -> s.state() == PoolPortStatus.State.UP);
            System.out.printf("1000 pool ports: bound in %d ms; heap +%.1f MiB (after GC), RSS +%.1f MiB, fds +%d%n",
                    bindMillis, (after[0] - before[0]) / 1048576.0, (after[1] - before[1]) / 1048576.0, after[2] - before[2]);
            assertThat(after[0] - before[0]).as("heap cost of 1000 ports").isLessThan(50L << 20);

            // First, middle and last port serve a request through the upstream.
            for (int port : new int[] {base, base + 500, base + 999}) {
                Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}",
                        "-x", "http://" + TestSupport.CUSTOMER + ":" + TestSupport.KEY + "@127.0.0.1:" + port,
                        origin.url("/bytes/100")).start();
                assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo("200");
            }
        }
    }

    /** Heap used after GC, resident set size (bytes) and open file descriptors of this JVM. */
    private static long[] memory() throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        long fds;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        return new long[] {heap, rss, fds};
    }
}
