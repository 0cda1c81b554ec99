package io.iploop.server.platform;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One Lettuce connection to the cluster's Redis ({@code IPLOOP_REDIS_URL}, docs/deploy.md#cluster),
 * opened on first use rather than at start, so a process starts while Redis is down. Every command
 * times out after {@link #TIMEOUT}; while disconnected, commands fail at once instead of queueing in
 * memory during an outage (the callers re-send what matters); a failed connect is not retried for
 * {@link #RECONNECT_BACKOFF}, so an outage costs one connect attempt per backoff, not one per call.
 * Thread-safe.
 */
public final class RedisConnection implements AutoCloseable {

    /** How long a connect or a command may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** How long after a failed connect the next call fails at once. */
    public static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(5);

    private final RedisClient client;
    private final String location;
    private final String threadName;
    private final Object connectLock = new Object();
    private volatile @Nullable StatefulRedisConnection<String, String> connection;
    /** Guarded by {@link #connectLock}: when the last connect failed. */
    private long connectFailedAtNanos;
    private boolean connectFailed;

    /**
     * Creates the client; connects nothing yet.
     *
     * @param url {@code redis://…} or {@code rediss://…}
     * @param threadName name of the virtual thread {@link #connectedAsync} connects on
     * @throws IllegalArgumentException if {@code url} is not a Redis URI
     */
    public RedisConnection(String url, String threadName) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(TIMEOUT);
        this.location = uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        this.threadName = threadName;
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
                .build());
    }

    /** {@code host:port/database}, for logs and errors (no password). */
    public String location() {
        return location;
    }

    /**
     * The connection's asynchronous commands, connecting first when there is none yet (blocks for
     * up to {@link #TIMEOUT}: never call it on an event loop before a connection exists).
     *
     * @throws IllegalStateException naming the Redis when the connect fails or failed within the backoff
     */
    public RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c.async();
        }
        synchronized (connectLock) {
            if (connection == null) {
                if (connectFailed && System.nanoTime() - connectFailedAtNanos < RECONNECT_BACKOFF.toNanos()) {
                    throw new IllegalStateException("Redis at " + location + " unreachable (connect failed less than "
                            + RECONNECT_BACKOFF.toSeconds() + " s ago)");
                }
                try {
                    connection = client.connect();
                    connectFailed = false;
                } catch (RuntimeException e) {
                    connectFailed = true;
                    connectFailedAtNanos = System.nanoTime();
                    throw new IllegalStateException("Redis at " + location + " unreachable: " + e.getMessage(), e);
                }
            }
            return java.util.Objects.requireNonNull(connection).async();
        }
    }

    /**
     * Like {@link #commands()} without blocking the caller (an event loop may call it): completes at
     * once when connected, else after a connect on a virtual thread; fails like {@link #commands()}.
     */
    public CompletableFuture<RedisAsyncCommands<String, String>> connectedAsync() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return CompletableFuture.completedFuture(c.async());
        }
        CompletableFuture<RedisAsyncCommands<String, String>> f = new CompletableFuture<>();
        Thread.ofVirtual().name(threadName).start(() -> {
            try {
                f.complete(commands());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Waits up to {@link #TIMEOUT} for {@code reply}.
     *
     * @param what what the command was for, for the error ("the sticky sessions")
     * @throws IllegalStateException when Redis refused, did not answer in time, or the wait was interrupted
     */
    public static <T> T await(Future<T> reply, String what) {
        try {
            return reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Redis refused " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            reply.cancel(true);
            throw new IllegalStateException("Redis did not answer within " + TIMEOUT.toMillis() + " ms", e);
        }
    }

    /** Closes the connection and the client's threads. */
    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, TIMEOUT);
    }
}
