package io.iploop.server.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.PoolUpstreamSource;
import io.iploop.server.pool.ImportReport;
import io.iploop.server.pool.PoolUpstreamsChanged;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.PlatformTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code IPLOOP_POOL_FILE} (docs/upstream-pool.md#import-api-cli-and-watched-file): the file is
 * imported as the whole list, a changed file is re-imported, a bad file changes nothing, and each
 * change publishes {@link PoolUpstreamsChanged}. The shared platform has no pool file, so the test
 * runs a watcher of its own on the platform's service (without the SIGHUP handler, which would
 * change the test JVM's signal handling).
 */
@PlatformTest
class PoolFileWatcherIT {

    @Autowired
    ConfigurableApplicationContext context;

    private static List<PoolUpstream> upstreams() throws Exception {
        return Api.bean(PoolUpstreamSource.class).upstreams();
    }

    @Test
    void importsTheFileAndReimportsItWhenItChanges() throws Exception {
        List<Object> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ApplicationListener<ApplicationEvent> listener = e -> {
            if (e instanceof PayloadApplicationEvent<?> p && p.getPayload() instanceof PoolUpstreamsChanged changed) {
                events.add(changed);
            }
        };
        context.addApplicationListener(listener);
        Path dir = Files.createTempDirectory("pool-file");
        Path file = dir.resolve("proxy.txt");
        Files.writeString(file, "a:pw@10.6.0.1:8080\nb:pw@10.6.0.2:8080\n");
        PoolFileWatcher watcher = new PoolFileWatcher(Api.bean(DefaultPoolService.class), file.toString());
        try {
            ImportReport first = watcher.reload("test");
            assertThat(first).isNotNull();
            assertThat(first.total()).isEqualTo(2);
            assertThat(upstreams()).extracting(PoolUpstream::username).containsExactlyInAnyOrder("a", "b");
            assertThat(events).isNotEmpty();
            int port = upstreams().stream().filter(u -> "b".equals(u.username())).findFirst().orElseThrow().port();

            watcher.watch(file);
            Files.writeString(file, "b:pw2@10.6.0.2:8080\nc:pw@10.6.0.3:8080\n");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(upstreams()).extracting(PoolUpstream::username).containsExactlyInAnyOrder("b", "c"));
            PoolUpstream b = upstreams().stream().filter(u -> "b".equals(u.username())).findFirst().orElseThrow();
            assertThat(b.port()).isEqualTo(port);
            assertThat(b.password()).isEqualTo("pw2");

            // a bad file keeps the last good list
            Files.writeString(file, "b:pw2@10.6.0.2:8080\nthis is not an upstream\n");
            Thread.sleep(2_000);
            assertThat(watcher.reload("test")).isNull();
            assertThat(upstreams()).extracting(PoolUpstream::username).containsExactlyInAnyOrder("b", "c");
        } finally {
            watcher.destroy();
            context.removeApplicationListener(listener);
        }
    }
}
