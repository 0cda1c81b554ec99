package io.iploop.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the agent's own count of exit bytes to the control plane, per UTC day
 * ({@code POST /api/earn/devices/traffic-report} with the node key in {@code X-Node-Key};
 * docs/operator-transparency.md#agent-byte-reconciliation), so the operator can compare it with what
 * the gateway relayed. Over HTTP, next to {@link DeviceRegistrar}: the tunnel protocol is unchanged.
 *
 * <p>Each report is the cumulative count of this agent run (a random run id picked at start) for
 * one day, so a lost, repeated or reordered report does no harm: the server keeps the largest count
 * per run and day. Bytes are attributed to the day of the report that first includes them: at
 * midnight, up to one interval's bytes can land on the next day. A day's last count is resent until
 * the server accepted it. Runs on its own virtual thread every {@code interval}, and once more on
 * {@link #close()}, never on the tunnel's threads. Thread-safe.
 */
final class TrafficReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrafficReporter.class);
    /** Default time between two reports. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

    private final URI endpoint;
    private final String nodeKey;
    private final String deviceId;
    private final UUID runId = UUID.randomUUID();
    private final AtomicLong counter;
    private final Clock clock;
    private final Duration interval;
    private final HttpClient http;
    // Guarded by this: the day being counted, the counter at its start, the counter at the last
    // snapshot, and the counts not yet accepted by the server (day -> cumulative bytes of this run).
    private @Nullable LocalDate day;
    private long dayBase;
    private long lastTotal;
    private final TreeMap<LocalDate, Long> pending = new TreeMap<>();
    private volatile @Nullable Thread thread;
    private volatile boolean closed;

    TrafficReporter(AgentConfig config, AtomicLong counter, Clock clock, Duration interval) {
        URI api = java.util.Objects.requireNonNull(config.apiUri(), "apiUri");
        String base = api.toString().endsWith("/") ? api.toString() : api + "/";
        this.endpoint = URI.create(base).resolve("api/earn/devices/traffic-report");
        this.nodeKey = config.nodeKey();
        this.deviceId = config.deviceId();
        this.counter = counter;
        this.clock = clock;
        this.interval = interval;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Starts reporting every interval in the background. */
    void start() {
        thread = Thread.ofVirtual().name("proxyclaw-traffic-report").start(this::loop);
    }

    private void loop() {
        try {
            while (!closed) {
                Thread.sleep(interval);
                if (!closed) {
                    reportNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends the current counts now (the open day and any earlier day not yet accepted).
     *
     * @return true if the server accepted every count
     */
    boolean reportNow() {
        Map<LocalDate, Long> counts = snapshot();
        boolean all = true;
        for (Map.Entry<LocalDate, Long> e : counts.entrySet()) {
            Outcome o = send(e.getKey(), e.getValue());
            if (o != Outcome.RETRY) {
                accepted(e.getKey(), e.getValue());
            }
            all &= o == Outcome.ACCEPTED;
        }
        return all;
    }

    /** Closes the open period into {@link #pending} and returns a copy of it. */
    private synchronized Map<LocalDate, Long> snapshot() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        long total = counter.get();
        if (day == null) {
            day = today;
        } else if (!today.equals(day)) {
            // The bytes up to the last snapshot belong to the old day; the rest to the new one.
            pending.put(day, lastTotal - dayBase);
            dayBase = lastTotal;
            day = today;
        }
        pending.put(day, total - dayBase);
        lastTotal = total;
        return new TreeMap<>(pending);
    }

    /** Forgets a past day's count once sent (a later snapshot re-adds the open day). */
    private synchronized void accepted(LocalDate d, long bytes) {
        if (!d.equals(day) && pending.getOrDefault(d, -1L) == bytes) {
            pending.remove(d);
        }
    }

    private enum Outcome { ACCEPTED, REFUSED, RETRY }

    private Outcome send(LocalDate d, long bytes) {
        String body = "{\"deviceId\":" + DeviceRegistrar.json(deviceId) + ",\"runId\":\"" + runId + "\",\"day\":\"" + d
                + "\",\"bytes\":" + bytes + "}";
        try {
            NodeKeyPost.Answer answer = NodeKeyPost.send(http, endpoint, nodeKey, body);
            if (answer.verdict() == NodeKeyPost.Verdict.ACCEPTED) {
                return Outcome.ACCEPTED;
            }
            if (answer.verdict() == NodeKeyPost.Verdict.REFUSED) {
                // Retrying does not fix a refused report (e.g. a day the server's clock says is in the future).
                log.debug("traffic report for {} refused ({}): {}", d, answer.status(), answer.body());
                return Outcome.REFUSED;
            }
            log.debug("traffic report for {}: HTTP {}, retrying later", d, answer.status());
        } catch (IOException e) {
            log.debug("traffic report for {} failed, retrying later: {}", d, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Outcome.RETRY;
    }

    /** Stops the background reports and sends the final counts once (best effort, bounded by the timeouts). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        reportNow();
        http.close();
    }
}
