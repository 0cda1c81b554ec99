package io.iploop.gateway.metering;

import io.iploop.gateway.error.ProxyError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data plane's meters: {@code iploop.gateway.streams.active} (gauge),
 * {@code iploop.gateway.bytes} (counter, tag {@code direction=up|down}, customer socket) and
 * {@code iploop.gateway.errors} (counter, tag {@code cause} = X-IPLoop-Error code) and
 * {@code iploop.gateway.connections.refused} (counter, tag {@code reason=per_ip|global}: customer
 * connections closed at accept by a connection cap) and {@code iploop.gateway.rotations}
 * (counter, tag {@code outcome=rotated|no_other_exit}: plain-HTTP {@code rotate-on-block}
 * exchanges whose first exit was blocked, docs/rotate-on-block.md) and
 * {@code iploop.gateway.requests} (counter, tag {@code outcome=carried|failed}: {@code carried}
 * counts every stream opened through an exit, i.e. each CONNECT/SOCKS5 tunnel and each plain-HTTP
 * exchange's stream; {@code failed} counts every refused or failed request, the same events as
 * {@code iploop.gateway.errors} summed over causes), so an error ratio is
 * {@code rate(requests{outcome="failed"}) / rate(requests)} (docs/deploy.md#metrics). A request
 * that fails after its stream opened counts once in each. {@code iploop.gateway.exit.reuses}
 * (counter, tag {@code outcome=reused|stale}: plain-HTTP exchanges served by an idle exit stream,
 * and those whose idle stream had ended so the request went again on a new one, docs/exit-reuse.md).
 * Thread-safe.
 */
public final class GatewayMetrics {

    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Counter bytesUp;
    private final Counter bytesDown;
    private final Map<ProxyError, Counter> errors = new EnumMap<>(ProxyError.class);
    private final Counter refusedPerIp;
    private final Counter refusedGlobal;
    private final Map<Rotation, Counter> rotations = new EnumMap<>(Rotation.class);
    private final Counter carried;
    private final Counter failed;
    private final Counter exitReused;
    private final Counter exitStale;

    /** What became of a {@code rotate-on-block} exchange whose first exit was blocked. */
    public enum Rotation {
        /** Retried through another node. */
        ROTATED,
        /** No other node could be opened: the blocked response was answered. */
        NO_OTHER_EXIT
    }

    public GatewayMetrics(MeterRegistry registry) {
        Gauge.builder("iploop.gateway.streams.active", activeStreams, AtomicInteger::get)
                .description("customer streams open through an exit")
                .register(registry);
        bytesUp = Counter.builder("iploop.gateway.bytes").tag("direction", "up").baseUnit("bytes")
                .description("bytes read from customers").register(registry);
        bytesDown = Counter.builder("iploop.gateway.bytes").tag("direction", "down").baseUnit("bytes")
                .description("bytes written to customers").register(registry);
        refusedPerIp = Counter.builder("iploop.gateway.connections.refused").tag("reason", "per_ip")
                .description("customer connections closed at accept by a connection cap").register(registry);
        refusedGlobal = Counter.builder("iploop.gateway.connections.refused").tag("reason", "global")
                .description("customer connections closed at accept by a connection cap").register(registry);
        for (ProxyError e : ProxyError.values()) {
            errors.put(e, Counter.builder("iploop.gateway.errors").tag("cause", e.code())
                    .description("refused or failed proxy requests").register(registry));
        }
        carried = Counter.builder("iploop.gateway.requests").tag("outcome", "carried")
                .description("proxy requests: streams opened through an exit (carried) or refused/failed (failed)")
                .register(registry);
        failed = Counter.builder("iploop.gateway.requests").tag("outcome", "failed")
                .description("proxy requests: streams opened through an exit (carried) or refused/failed (failed)")
                .register(registry);
        exitReused = Counter.builder("iploop.gateway.exit.reuses").tag("outcome", "reused")
                .description("plain-HTTP exchanges served by an idle exit stream (reused) or sent again after it had ended (stale)")
                .register(registry);
        exitStale = Counter.builder("iploop.gateway.exit.reuses").tag("outcome", "stale")
                .description("plain-HTTP exchanges served by an idle exit stream (reused) or sent again after it had ended (stale)")
                .register(registry);
        for (Rotation r : Rotation.values()) {
            rotations.put(r, Counter.builder("iploop.gateway.rotations").tag("outcome", r.name().toLowerCase(java.util.Locale.ROOT))
                    .description("rotate-on-block exchanges whose first exit was blocked").register(registry));
        }
    }

    /** A customer stream opened through an exit: counts one carried request. */
    public void streamOpened() {
        activeStreams.incrementAndGet();
        carried.increment();
    }

    public void streamClosed() {
        activeStreams.decrementAndGet();
    }

    /** Customer streams open now. */
    public int activeStreams() {
        return activeStreams.get();
    }

    /** Bytes read from a customer socket. */
    public void bytesUp(long n) {
        bytesUp.increment(n);
    }

    /** Bytes written to a customer socket. */
    public void bytesDown(long n) {
        bytesDown.increment(n);
    }

    /** A customer connection was closed at accept; {@code reason} is {@code per_ip} or {@code global}. */
    public void connectionRefused(String reason) {
        ("global".equals(reason) ? refusedGlobal : refusedPerIp).increment();
    }

    /** A request was refused or failed with {@code error}: counts the cause and one failed request. */
    public void error(ProxyError error) {
        errors.get(error).increment();
        failed.increment();
    }

    /** A plain-HTTP exchange went to an idle exit stream instead of a new one. */
    public void exitReused() {
        exitReused.increment();
    }

    /** A reused exit stream had ended before answering: the request went again on a new stream. */
    public void staleExitResent() {
        exitStale.increment();
    }

    /** A {@code rotate-on-block} exchange's first exit was blocked, with what followed. */
    public void rotation(Rotation outcome) {
        rotations.get(outcome).increment();
    }
}
