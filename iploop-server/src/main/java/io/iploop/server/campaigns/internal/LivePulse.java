package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignLivePulse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
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
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live pulse of the campaign engine (docs/campaigns.md#live-pulse): one {@code hit} event per
 * delivered visit, fanned out to Server-Sent-Events listeners (all projects for admins, one project
 * for its owner). Each listener has a bounded buffer of {@link #BUFFER} events drained by its own
 * virtual thread; when a slow listener's buffer is full, new events for it are dropped and counted
 * (sent to it as a {@code dropped} event with the running total), so memory stays bounded. Thread-safe.
 */
@Component
class LivePulse implements CampaignLivePulse {

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

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

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
        Listener l = new Listener(filter, emitter);
        listeners.add(l);
        emitter.onCompletion(l::close);
        emitter.onTimeout(l::close);
        emitter.onError(e -> l.close());
        Thread.ofVirtual().name("live-pulse-listener").start(l::drain);
        return emitter;
    }

    /** Open listeners (for tests and metrics). */
    int listenerCount() {
        return listeners.size();
    }

    private final class Listener {
        final Predicate<Hit> filter;
        final SseEmitter emitter;
        final BlockingQueue<Hit> buffer = new ArrayBlockingQueue<>(BUFFER);
        final AtomicLong dropped = new AtomicLong();
        volatile boolean open = true;

        Listener(Predicate<Hit> filter, SseEmitter emitter) {
            this.filter = filter;
            this.emitter = emitter;
        }

        void offer(Hit hit) {
            if (!buffer.offer(hit)) {
                dropped.incrementAndGet();
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
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        void close() {
            open = false;
            listeners.remove(this);
        }
    }
}
