package io.iploop.server.campaigns.internal;

import static io.iploop.server.testing.Api.adminToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.testing.Api;
import io.iploop.server.testing.PlatformTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The live pulse at shutdown (LivePulse's Javadoc): the web server's graceful shutdown waits for
 * open requests, and a live-pulse stream stays open for up to 30 minutes, so a dashboard left open
 * held every shutdown for the whole phase timeout (20 s). Stopping the pulse, which Spring does
 * before the web server's phase, ends every open stream, and a stream asked for after that ends at
 * once; stopping never waits for a listener that does not read. The test stops and restarts the
 * shared platform's pulse bean itself.
 */
@PlatformTest
class LivePulseShutdownIT {

    /** Each event carries a 32 KiB URL, so the stuck listener's socket buffers fill within a few events. */
    private static final String PADDING = "x".repeat(32 * 1024);

    @Autowired
    LivePulse pulse;

    private static CompletableFuture<HttpResponse<String>> openStream(String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + "/api/admin/live-stream"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
        return Api.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stoppingThePulseEndsOpenStreamsAndStreamsAskedForAfterwardEndAtOnce() throws Exception {
        String admin = adminToken();
        int listenersBefore = pulse.listenerCount();
        CompletableFuture<HttpResponse<String>> open = openStream(admin);
        await().atMost(Duration.ofSeconds(10)).until(() -> pulse.listenerCount() == listenersBefore + 1);
        assertThat(open).as("a running pulse keeps the stream open").isNotDone();

        try (NonReadingListener _ = new NonReadingListener(admin)) {
            // A listener that never reads, its sender blocked in a write: the pulse's buffer for it
            // overflows (drops counted) only once its drainer no longer takes events out.
            await().atMost(Duration.ofSeconds(10)).until(() -> pulse.listenerCount() == listenersBefore + 2);
            UUID project = UUID.randomUUID();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int i = 0; i < 50; i++) {
                    pulse.publish(new LivePulse.Hit(project, UUID.randomUUID(), "https://shop.example/?" + PADDING, "DE", null));
                }
                return pulse.listenerStats().stream().anyMatch(l -> l.dropped() > 0);
            });

            CompletableFuture.runAsync(pulse::stop).get(5, TimeUnit.SECONDS); // never waits for the stuck write
            HttpResponse<String> ended = open.get(10, TimeUnit.SECONDS);
            assertThat(ended.statusCode()).isEqualTo(200);
            assertThat(ended.body()).as("the stream had begun before it was ended").contains("live pulse");
            assertThat(pulse.listenerCount()).isZero();

            HttpResponse<String> late = openStream(admin).get(10, TimeUnit.SECONDS);
            assertThat(late.statusCode()).isEqualTo(200);
            assertThat(late.body()).as("a stream asked for while stopped carries nothing").isEmpty();
            assertThat(pulse.listenerCount()).isZero();
        } finally {
            pulse.start();
        }
    }
}
