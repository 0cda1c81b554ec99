package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignLivePulse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live pulse of the campaign engine (docs/campaigns.md#live-pulse): one {@code hit} event per
 * delivered visit, fanned out to Server-Sent-Events listeners (all projects for admins, one project
 * for its owner). Each listener has a bounded buffer of {@link #BUFFER} events drained by its own
 * virtual thread; when a slow listener's buffer is full, new events for it are dropped and counted
 * (sent to it as a {@code dropped} event with the running total, and to the metric
 * {@code iploop.campaigns.pulse.dropped}), so memory stays bounded: a listener that never reads costs
 * at most its buffer plus the socket's.
 *
 * <p>A stream stays open up to {@link #STREAM_TIMEOUT}, and the web server's graceful shutdown
 * waits for open requests (up to {@code spring.lifecycle.timeout-per-shutdown-phase}, 20 s): so this
 * bean stops first ({@link SmartLifecycle#DEFAULT_PHASE}, above the web server's phase) and ends
 * every stream, and streams asked for after that end at once; the browser's {@code EventSource}
 * reconnects to the next server. Thread-safe.
 */
@Component
class LivePulse implements CampaignLivePulse, SmartLifecycle {

    /** Events buffered per listener before new ones are dropped. */
    static final int BUFFER = 256;
    /** How long a stream stays open before the browser reconnects. */
    static final Duration STREAM_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    /** One delivered visit; {@code ip} is the exit's address when known. */
    record Hit(UUID projectId, UUID ownerId, String url, @Nullable String country, @Nullable String ip) {

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "hit");
            m.put("project_id", projectId.toString());
            m.put("url", url);
            if (country != null) {
                m.put("country", country);
            }
            if (ip != null) {
                m.put("ip", ip);
            }
            return m;
        }
    }

    /** One open listener's buffer: events waiting to be written (at most {@link #BUFFER}) and dropped so far. */
    record ListenerStats(int buffered, long dropped) {}

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final Counter droppedTotal;
    private volatile boolean running;

    LivePulse(MeterRegistry meters) {
        this.droppedTotal = Counter.builder("iploop.campaigns.pulse.dropped")
                .description("Live pulse events dropped for listeners whose buffer was full").register(meters);
    }

    /** Hands a hit to every matching listener without blocking (full buffers drop it). */
    void publish(Hit hit) {
        for (Listener l : listeners) {
            if (l.filter.test(hit)) {
                l.offer(hit);
            }
        }
    }

    /** Opens a stream of hits of {@code projectId}, or of every project when null. */
    SseEmitter subscribe(@Nullable UUID projectId) {
        return subscribe(hit -> projectId == null || projectId.equals(hit.projectId()));
    }

    @Override
    public SseEmitter subscribeAll() {
        return subscribe(hit -> true);
    }

    @Override
    public SseEmitter subscribeOwner(UUID ownerId) {
        return subscribe(hit -> ownerId.equals(hit.ownerId()));
    }

    private SseEmitter subscribe(Predicate<Hit> filter) {
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        if (!running) {
            emitter.complete();
            return emitter;
        }
        Listener l = new Listener(filter, emitter);
        listeners.add(l);
        emitter.onCompletion(l::close);
        emitter.onTimeout(l::close);
        emitter.onError(e -> l.close());
        l.drainer = Thread.ofVirtual().name("live-pulse-listener").start(l::drain);
        if (!running) {
            l.end(); // stop() ran while this listener was being added
        }
        return emitter;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Ends every open stream (the responses complete normally); later subscriptions end at once. */
    @Override
    public void stop() {
        running = false;
        listeners.forEach(Listener::end);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Open listeners (for tests and metrics). */
    int listenerCount() {
        return listeners.size();
    }

    /** The open listeners' buffers (for tests and admins); each {@code buffered} is at most {@link #BUFFER}. */
    List<ListenerStats> listenerStats() {
        return listeners.stream().map(l -> new ListenerStats(l.buffer.size(), l.dropped.get())).toList();
    }

    /** Events dropped for slow listeners since start, all listeners together (metric {@code iploop.campaigns.pulse.dropped}). */
    long droppedTotal() {
        return (long) droppedTotal.count();
    }

    private final class Listener {
        final Predicate<Hit> filter;
        final SseEmitter emitter;
        final BlockingQueue<Hit> buffer = new ArrayBlockingQueue<>(BUFFER);
        final AtomicLong dropped = new AtomicLong();
        volatile boolean open = true;
        /** Set by {@link #end}: the drainer completes the response when it leaves. */
        volatile boolean ended;
        volatile @Nullable Thread drainer;

        Listener(Predicate<Hit> filter, SseEmitter emitter) {
            this.filter = filter;
            this.emitter = emitter;
        }

        void offer(Hit hit) {
            if (!buffer.offer(hit)) {
                dropped.incrementAndGet();
                droppedTotal.increment();
            }
        }

        void drain() {
            long droppedSent = 0;
            try {
                emitter.send(SseEmitter.event().comment("live pulse"));
                while (open) {
                    Hit hit = buffer.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                    long d = dropped.get();
                    if (d != droppedSent) {
                        emitter.send(SseEmitter.event().name("dropped").data(Map.of("type", "dropped", "count", d),
                                MediaType.APPLICATION_JSON));
                        droppedSent = d;
                    }
                    if (hit == null) {
                        emitter.send(SseEmitter.event().comment("heartbeat"));
                    } else {
                        emitter.send(SseEmitter.event().name("hit").data(hit.json(), MediaType.APPLICATION_JSON));
                    }
                }
            } catch (IOException | IllegalStateException e) {
                // The listener went away; the emitter's callbacks or the line below clean up.
            } catch (InterruptedException e) {
                // end() woke this thread; it completes the response below and ends
            } finally {
                close();
                if (ended) {
                    emitter.complete();
                }
            }
        }

        void close() {
            open = false;
            listeners.remove(this);
        }

        /**
         * Ends the stream without waiting: the drainer, woken, completes the response itself. Completing
         * it here would wait for the emitter's write lock, which a send to a client that does not read
         * holds until the socket's write times out.
         */
        void end() {
            ended = true;
            close();
            Thread t = drainer;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
