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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The live pulse's bounded buffers (docs/campaigns.md#live-pulse): a listener whose socket is never
 * read holds at most {@link LivePulse#BUFFER} events in the server; what does not fit is dropped and
 * counted, while a listener that reads gets every event, in order, and no {@code dropped} event.
 */
@PlatformTest
class LivePulseSlowListenerIT {

    private static final int EVENTS = 1_000;
    /** Each event carries a 32 KiB URL, so 1,000 events (32 MiB) outgrow any socket buffer. */
    private static final String PADDING = "x".repeat(32 * 1024);

    @Autowired
    LivePulse pulse;

    @Test
    void aListenerThatNeverReadsIsBoundedWhileAReadingListenerGetsEveryEvent() throws Exception {
        String admin = adminToken();
        int listenersBefore = pulse.listenerCount();
        long droppedBefore = pulse.droppedTotal();

        List<JsonNode> hits = new CopyOnWriteArrayList<>();
        List<String> droppedEvents = new CopyOnWriteArrayList<>();
        UUID project = UUID.randomUUID();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + "/api/admin/live-stream"))
                .header("Authorization", "Bearer " + admin).header("Accept", "text/event-stream").GET().build();
        Api.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
            try (Stream<String> lines = r.body()) {
                lines.forEach(l -> {
                    if (l.startsWith("event: dropped")) {
                        droppedEvents.add(l);
                    } else if (l.startsWith("data:") && l.contains("\"hit\"")) {
                        JsonNode e = JsonMapper.shared().readTree(l.substring(5).strip());
                        if (e.path("project_id").asString().equals(project.toString())) {
                            hits.add(e);
                        }
                    }
                });
            }
        });

        try (NonReadingListener _ = new NonReadingListener(admin)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> pulse.listenerCount() >= listenersBefore + 2);

            // Bursts smaller than a buffer, each waited for by the reading listener.
            for (int sent = 0; sent < EVENTS; ) {
                for (int i = 0; i < 50; i++, sent++) {
                    pulse.publish(new LivePulse.Hit(project, UUID.randomUUID(), "https://shop.example/" + sent + "?" + PADDING,
                            "DE", null));
                }
                int expected = sent;
                await().atMost(Duration.ofSeconds(20)).until(() -> hits.size() == expected);
            }

            assertThat(hits).hasSize(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                assertThat(hits.get(i).get("url").asString()).startsWith("https://shop.example/" + i + "?");
            }
            assertThat(droppedEvents).as("the reading listener lost nothing").isEmpty();

            List<LivePulse.ListenerStats> stats = pulse.listenerStats();
            assertThat(stats).allSatisfy(s -> assertThat(s.buffered()).isLessThanOrEqualTo(LivePulse.BUFFER));
            LivePulse.ListenerStats stuck = stats.stream().filter(s -> s.dropped() > 0).findFirst().orElseThrow();
            // The stuck listener holds a full buffer; of the rest only what the sockets took was not dropped.
            assertThat(stuck.buffered()).isEqualTo(LivePulse.BUFFER);
            long socketHeld = (4L * 1024 * 1024 + 64 * 1024) / PADDING.length() + 2;
            assertThat(stuck.dropped()).isGreaterThanOrEqualTo(EVENTS - LivePulse.BUFFER - socketHeld);
            assertThat(pulse.droppedTotal() - droppedBefore).isGreaterThanOrEqualTo(stuck.dropped());
        }
        // The stuck listener goes away with its connection.
        pulse.publish(new LivePulse.Hit(project, UUID.randomUUID(), "https://shop.example/last", "DE", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> pulse.listenerStats().stream().noneMatch(s -> s.dropped() > 0));
    }
}
