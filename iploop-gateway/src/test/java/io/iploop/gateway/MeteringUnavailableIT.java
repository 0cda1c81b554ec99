package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.metering.UsageJournal;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traffic that could not be metered is refused, not carried unpaid (docs/operations.md#usage-journal):
 * a gateway whose usage store is down and whose journal an earlier process left 95 % full answers
 * 503 {@code metering_unavailable}, and serves again once the store has taken the backlog.
 */
@Timeout(60)
class MeteringUnavailableIT {

    static final long JOURNAL_BYTES = 64 * 1024;

    @TempDir
    Path journalDir;

    @Test
    void aNearlyFullJournalRefusesNewRequestsUntilTheStoreCatchesUp() throws Exception {
        int left = fillTo(journalDir, 0.95);
        RecordingUsageSink sink = new RecordingUsageSink();
        sink.failNext = Integer.MAX_VALUE; // the usage store is down
        try (TestOrigin origin = TestOrigin.http();
                Gateway gateway = Gateway.builder(GatewayConfig.forTests())
                        .proxyAuthenticator(new InMemoryAuthenticator())
                        .usageSink(sink)
                        .usageJournal(journalDir, JOURNAL_BYTES)
                        .directExit(true)
                        .withoutNodeHub()
                        .build()) {
            gateway.start();
            try (HttpClient client = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", gateway.httpProxyPort())))
                    .build()) {
                refusedUntilTheStoreCatchesUp(client, origin, sink, left);
            }
        }
    }

    private static void refusedUntilTheStoreCatchesUp(HttpClient client, TestOrigin origin, RecordingUsageSink sink, int left)
            throws Exception {
        {
            HttpResponse<String> refused = get(client, origin);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("X-IPLoop-Error")).hasValue("metering_unavailable");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(refused.body()).contains("usage cannot be recorded");

            sink.failNext = 0; // the store is back: the backlog drains, requests are admitted again
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.records.size() >= left);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(client, origin).statusCode() == 200);
        }
    }

    private static HttpResponse<String> get(HttpClient client, TestOrigin origin) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(URI.create(origin.url("/bytes/100")))
                .header("Proxy-Authorization", basic).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Appends records as an earlier process would have until the journal holds {@code fraction}; returns how many. */
    private static int fillTo(Path dir, double fraction) throws Exception {
        int n = 0;
        try (UsageJournal j = UsageJournal.open(dir, JOURNAL_BYTES, JOURNAL_BYTES / 4)) {
            while (j.sizeBytes() < JOURNAL_BYTES * fraction) {
                List<UsageRecord> batch = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    batch.add(new UsageRecord(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), null, null, 10, 5, 1,
                            "DE", null, "example.com", "http", true, null, Instant.now(), Instant.now(), 200));
                }
                int appended = j.append(batch);
                n += appended;
                if (appended < batch.size()) {
                    break;
                }
            }
        }
        return n;
    }
}
