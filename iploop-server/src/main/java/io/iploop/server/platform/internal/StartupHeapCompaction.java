package io.iploop.server.platform.internal;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Collects the heap once, shortly after start-up, so the JVM gives back what start-up alone needed.
 *
 * <p>Start-up (Flyway, bean creation, the first jobs and the local node's connection) leaves tens of
 * MiB of garbage in the old generation; the serial collector the launcher chooses would keep that
 * space committed until the next full collection, which an idle self-hosted server may not run for
 * hours. One explicit collection {@link #DELAY} after {@link ApplicationReadyEvent} (when the
 * post-start work has settled) lets the heap shrink to what {@code -XX:MaxHeapFreeRatio} allows:
 * part of the idle-memory figure in docs/operations.md. A JVM started with
 * {@code -XX:+DisableExplicitGC} ignores it. Runs once (two collections back to back), on its own daemon
 * thread.
 */
@Component
class StartupHeapCompaction {

    /** Time after ready before the one collection. */
    static final Duration DELAY = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(StartupHeapCompaction.class);

    @EventListener
    void ready(ApplicationReadyEvent event) {
        Thread.ofPlatform().daemon().name("startup-heap-compaction").start(StartupHeapCompaction::compactLater);
    }

    private static void compactLater() {
        try {
            Thread.sleep(DELAY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Runtime runtime = Runtime.getRuntime();
        long before = runtime.totalMemory();
        System.gc();
        // Softly reachable objects are cleared by how long before the previous collection they were
        // last used; right after the first collection, everything start-up alone used (reflection
        // data, Spring's metadata caches: about 6 MiB) is that old, and the launcher's
        // -XX:SoftRefLRUPolicyMSPerMB=10 lets this second collection clear it. With the JVM's
        // default (1000 ms per free MiB) it keeps them and only costs a few ms.
        System.gc();
        log.debug("start-up heap compaction: committed heap {} -> {} bytes", before, runtime.totalMemory());
    }
}
