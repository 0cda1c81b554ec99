package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.proxy.InterimUsage;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.TestOrigin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interim usage records of open streams (docs/product/usage.md#interim-records), through a real
 * gateway with the direct exit and a raw socket client that counts every byte it sends and
 * receives: records appear while the stream is open, by bytes and by time, and together they
 * equal the client's bytes exactly.
 */
@Timeout(120)
class InterimUsageIT {

    /** The time trigger in this test (production: 10 s). */
    static final Duration INTERVAL = Duration.ofMillis(600);

    static TestOrigin origin;
    static Gateway gateway;
    static RecordingUsageSink sink = new RecordingUsageSink();

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(sink)
                .directExit(true)
                .withoutNodeHub()
                .interimUsageInterval(INTERVAL)
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
    }

    @BeforeEach
    void clear() throws InterruptedException {
        TestSupport.awaitIdleAndClear(gateway, sink);
    }

    /** A CONNECT tunnel through the HTTP proxy; counts bytes both ways. */
    static final class Tunnel implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        long sent;
        long received;

        Tunnel() throws Exception {
            socket = new Socket("127.0.0.1", gateway.httpProxyPort());
            out = socket.getOutputStream();
            in = socket.getInputStream();
            String auth = Base64.getEncoder().encodeToString((TestSupport.CUSTOMER + ":" + TestSupport.KEY)
                    .getBytes(StandardCharsets.US_ASCII));
            send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                    + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n");
            String head = readHead();
            assertThat(head).startsWith("HTTP/1.1 200");
        }

        void send(String s) throws Exception {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b);
            out.flush();
            sent += b.length;
        }

        String readHead() throws Exception {
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                assertThat(c).as("head so far: " + sb).isNotNegative();
                received++;
                sb.append((char) c);
            }
            return sb.toString();
        }

        void readToEnd() throws Exception {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                received += n;
            }
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void aLongDownloadIsRecordedEvery16MiBAndTheRecordsSumToItsBytes() throws Exception {
        long body = 40L << 20;
        long sent;
        long received;
        try (Tunnel t = new Tunnel()) {
            t.send("GET /bytes/" + body + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            t.readToEnd();
            sent = t.sent;
            received = t.received;
        }
        assertThat(received).isGreaterThan(body);
        List<UsageRecord> records = awaitTotals(sent, received);
        List<UsageRecord> interim = records.stream().filter(r -> r.requestCount() == 0).toList();
        assertThat(interim).as("40 MiB, at most 16 MiB per record").hasSizeGreaterThanOrEqualTo(2);
        assertThat(interim).allSatisfy(r -> assertThat(r.success()).isTrue());
        // The byte trigger fires on the accounting of the read or write that crossed 16 MiB.
        assertThat(records).allSatisfy(r -> assertThat(r.bytesDownloaded() + r.bytesUploaded())
                .isLessThanOrEqualTo(InterimUsage.MAX_BYTES + (1 << 20)));
        assertThat(records.stream().mapToInt(UsageRecord::requestCount).sum()).isEqualTo(1);
        assertPeriodsFollowEachOther(records);
    }

    @Test
    void httpForwardingIsRecordedWhileItRunsToo() throws Exception {
        long body = 36L << 20;
        long sent;
        long received = 0;
        String auth = Base64.getEncoder().encodeToString((TestSupport.CUSTOMER + ":" + TestSupport.KEY)
                .getBytes(StandardCharsets.US_ASCII));
        try (Socket s = new Socket("127.0.0.1", gateway.httpProxyPort())) {
            byte[] request = ("GET http://127.0.0.1:" + origin.port() + "/bytes/" + body + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + origin.port() + "\r\nProxy-Authorization: Basic " + auth + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            sent = request.length;
            byte[] buf = new byte[64 * 1024];
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                received += n;
            }
        }
        assertThat(received).isGreaterThan(body);
        List<UsageRecord> records = awaitTotals(sent, received);
        assertThat(records.stream().filter(r -> r.requestCount() == 0).count()).isGreaterThanOrEqualTo(2);
        assertThat(records).allSatisfy(r -> assertThat(r.proxyType()).isEqualTo("http"));
        assertThat(records.getLast().httpStatus()).isEqualTo(200);
        assertPeriodsFollowEachOther(records);
    }

    @Test
    void aQuietLongTunnelIsRecordedEveryIntervalWhileOpen() throws Exception {
        try (Tunnel t = new Tunnel()) {
            t.send("GET /bytes/10 HTTP/1.1\r\n");
            long firstPart = t.sent;
            // Records arrive while the tunnel is still open.
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.stream()
                    .mapToLong(UsageRecord::bytesUploaded).sum() >= firstPart);
            assertThat(sink.records).allSatisfy(r -> assertThat(r.requestCount()).isZero());
            for (int i = 0; i < 4; i++) {
                Thread.sleep(INTERVAL.toMillis());
                t.send("X-Slow-" + i + ": yes\r\n");
            }
            t.send("Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
            t.readToEnd();
            t.socket.close(); // the origin closed; the customer closes its half too: the stream ends
            List<UsageRecord> records = awaitTotals(t.sent, t.received);
            assertThat(records.stream().filter(r -> r.requestCount() == 0).count()).isGreaterThanOrEqualTo(3);
            assertThat(records.stream().mapToInt(UsageRecord::requestCount).sum()).isEqualTo(1);
            assertPeriodsFollowEachOther(records);
        }
    }

    /** Waits until the final record is in, then checks the sums are exact. */
    static List<UsageRecord> awaitTotals(long sent, long received) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.stream().anyMatch(r -> r.requestCount() == 1));
        List<UsageRecord> records = List.copyOf(sink.records);
        assertThat(records.stream().mapToLong(UsageRecord::bytesUploaded).sum()).isEqualTo(sent);
        assertThat(records.stream().mapToLong(UsageRecord::bytesDownloaded).sum()).isEqualTo(received);
        return records;
    }

    /** Each record's period starts where the previous one ended (a stream that spans a period is split by time). */
    static void assertPeriodsFollowEachOther(List<UsageRecord> records) {
        for (int i = 1; i < records.size(); i++) {
            assertThat(records.get(i).startedAt()).isEqualTo(records.get(i - 1).endedAt());
        }
    }
}
