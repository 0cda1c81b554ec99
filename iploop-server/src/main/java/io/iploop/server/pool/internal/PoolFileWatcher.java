package io.iploop.server.pool.internal;

import io.iploop.server.pool.ImportMode;
import io.iploop.server.pool.ImportReport;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code IPLOOP_POOL_FILE} (docs/upstream-pool.md#upstreams-import-and-reload): when set, the file is
 * the whole upstream list. It is imported (mode replace) once the server is ready, again on
 * {@code SIGHUP} ({@code kill -HUP <pid>}, handled with {@code sun.misc.Signal}, which replaces the
 * JVM's default of shutting down on HUP only while a pool file is configured), and again when the
 * file changes (a {@link WatchService} on its directory, so editors that replace the file are seen
 * too; changes within 500 ms are read once). A bad file is logged with its bad lines and changes
 * nothing: the last good list stays. Without the setting nothing here runs. Thread-safe: imports
 * are serialised.
 */
@Component
class PoolFileWatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PoolFileWatcher.class);
    private static final long DEBOUNCE_MILLIS = 500;

    private final DefaultPoolService pool;
    private final @Nullable Path file;
    private final ReentrantLock importing = new ReentrantLock();
    private volatile @Nullable WatchService watcher;

    PoolFileWatcher(DefaultPoolService pool, @Value("${iploop.pool-file:}") String file) {
        this.pool = pool;
        this.file = file.isBlank() ? null : Path.of(file).toAbsolutePath().normalize();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        Path f = file;
        if (f == null) {
            return;
        }
        reload("start");
        installSighup();
        watch(f);
    }

    /**
     * Imports the file now (mode replace).
     *
     * @return the report, or null when the file could not be read or was refused (logged)
     */
    @Nullable ImportReport reload(String why) {
        Path f = file;
        if (f == null) {
            return null;
        }
        importing.lock();
        try {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            ImportReport r = pool.importText(null, text, ImportMode.REPLACE);
            log.info("Pool file {} imported ({}): {} added, {} updated, {} removed, {} upstreams", f, why, r.added(),
                    r.updated(), r.removed(), r.total());
            return r;
        } catch (IOException e) {
            log.error("Pool file {} not readable ({}): {}; the upstream list is unchanged", f, why, e.toString());
            return null;
        } catch (RuntimeException e) {
            log.error("Pool file {} refused ({}): {}; the upstream list is unchanged", f, why, e.getMessage());
            return null;
        } finally {
            importing.unlock();
        }
    }

    /** SIGHUP re-imports the file; through reflection so the build needs no internal-API warning. */
    private void installSighup() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            InvocationHandler onSignal = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    Thread.ofVirtual().name("pool-sighup").start(() -> reload("SIGHUP"));
                    return null;
                }
                return switch (method.getName()) {
                    case "toString" -> "pool-file SIGHUP handler";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                };
            };
            Object proxy = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, onSignal);
            signal.getMethod("handle", signal, handler).invoke(null, hup, proxy);
            log.info("SIGHUP re-imports the pool file {}", file);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn("SIGHUP handler not installed ({}); the pool file is still watched for changes", e.toString());
        }
    }

    /** Starts the watch thread on {@code f}'s directory. */
    void watch(Path f) {
        Path dir = f.getParent();
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            watcher = ws;
            Thread.ofPlatform().daemon().name("pool-file-watch").start(() -> loop(ws, f));
        } catch (IOException e) {
            log.warn("Pool file directory {} cannot be watched ({}); use SIGHUP or the admin API to reload", dir, e.toString());
        }
    }

    private void loop(WatchService ws, Path f) {
        try {
            while (true) {
                WatchKey key = ws.take();
                boolean ours = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.context() instanceof Path p && p.getFileName().equals(f.getFileName())) {
                        ours = true;
                    }
                }
                key.reset();
                if (ours && Files.isRegularFile(f)) {
                    Thread.sleep(DEBOUNCE_MILLIS);
                    drain(ws);
                    reload("file changed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // shutting down
        }
    }

    private static void drain(WatchService ws) {
        WatchKey k;
        while ((k = ws.poll()) != null) {
            k.pollEvents();
            k.reset();
        }
    }

    @Override
    public void destroy() throws IOException {
        WatchService ws = watcher;
        if (ws != null) {
            ws.close();
        }
    }
}
