package io.iploop.server.plans.internal;

import io.iploop.gateway.spi.SharedLimitCounters;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateways' shared plan-limit counters in Redis (docs/deploy.md#shared-limits), used when
 * {@code IPLOOP_REDIS_URL} is set. Per scope (an account or a sub-user) one Lua script
 * ({@link #SCRIPT}) runs atomically: it stores this gateway's open connections under a key of its
 * own with the report's TTL (so a dead gateway's connections stop counting when it stops
 * reporting), lists the gateways holding connections in a set and sums the others' live ones
 * (dropping the expired), and adds the requests to the second's and the UTC day's counters (keys
 * expiring after 5 s and 2 days). All keys of a scope share the hash tag {@code {scope}}, so a
 * Redis Cluster keeps them in one slot.
 *
 * <p>Asynchronous: the connection is opened with {@code connectAsync} on first use (a failed
 * connect is retried after {@link #RECONNECT_BACKOFF}); one exchange is one pipeline of
 * {@code EVALSHA} commands (the script is loaded on a {@code NOSCRIPT} reply). Thread-safe.
 */
final class RedisSharedLimitCounters implements SharedLimitCounters, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSharedLimitCounters.class);
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration RECONNECT_BACKOFF = Duration.ofSeconds(5);

    /**
     * KEYS[1] the scope's base key; ARGV gateway id, ttl ms, open, epoch second, second delta,
     * epoch day, day delta. Returns {others open, second total, day total}.
     */
    static final String SCRIPT = """
            local base = KEYS[1]
            local gw = ARGV[1]
            local ttl = tonumber(ARGV[2])
            local open = tonumber(ARGV[3])
            local holders = base .. ':gw'
            if open > 0 then
              redis.call('SET', base .. ':open:' .. gw, open, 'PX', ttl)
              redis.call('SADD', holders, gw)
              redis.call('PEXPIRE', holders, ttl * 2)
            else
              redis.call('DEL', base .. ':open:' .. gw)
              redis.call('SREM', holders, gw)
            end
            local others = 0
            for _, g in ipairs(redis.call('SMEMBERS', holders)) do
              if g ~= gw then
                local v = redis.call('GET', base .. ':open:' .. g)
                if v then others = others + tonumber(v) else redis.call('SREM', holders, g) end
              end
            end
            local function window(key, delta, ttlMs)
              if delta > 0 then
                local n = redis.call('INCRBY', key, delta)
                redis.call('PEXPIRE', key, ttlMs)
                return n
              end
              return tonumber(redis.call('GET', key) or '0')
            end
            local second = window(base .. ':s:' .. ARGV[4], tonumber(ARGV[5]), 5000)
            local day = window(base .. ':d:' .. ARGV[6], tonumber(ARGV[7]), 172800000)
            return {others, second, day}
            """;

    private final RedisClient client;
    private final RedisURI uri;
    private final String keyPrefix;
    private final String digest;
    private final Object connectLock = new Object();
    /** Guarded by {@link #connectLock}. */
    private @Nullable CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private long connectFailedAtNanos;

    /**
     * @param url {@code IPLOOP_REDIS_URL}
     * @param keyPrefix {@code IPLOOP_REDIS_KEY_PREFIX}; {@code limits:} follows it
     */
    RedisSharedLimitCounters(String url, String keyPrefix) {
        this.uri = RedisURI.create(url);
        uri.setTimeout(TIMEOUT);
        this.keyPrefix = keyPrefix + "limits:";
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
                .build());
        this.digest = sha1Hex(SCRIPT);
        log.info("Plan limits are shared through Redis at {}:{} under {}*", uri.getHost(), uri.getPort(), this.keyPrefix);
    }

    /** The SHA-1 of a script in hex, as Redis names it for {@code EVALSHA}. */
    static String sha1Hex(String script) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    /** The base key of a scope: its hash tag keeps a scope's keys in one Redis Cluster slot. */
    String base(String scope) {
        return keyPrefix + "{" + scope + "}";
    }

    @Override
    public CompletionStage<List<Totals>> exchange(String gatewayId, List<Report> reports) {
        return connection().thenCompose(c -> {
            RedisAsyncCommands<String, String> redis = c.async();
            List<CompletableFuture<Totals>> replies = new ArrayList<>(reports.size());
            for (Report r : reports) {
                replies.add(run(redis, gatewayId, r));
            }
            return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                    .thenApply(v -> replies.stream().map(CompletableFuture::join).toList());
        });
    }

    private CompletableFuture<Totals> run(RedisAsyncCommands<String, String> redis, String gatewayId, Report r) {
        String[] keys = {base(r.scope())};
        String[] args = {gatewayId, Long.toString(r.ttlMillis()), Integer.toString(r.open()),
                Long.toString(r.epochSecond()), Long.toString(r.secondDelta()), Long.toString(r.epochDay()),
                Long.toString(r.dayDelta())};
        CompletableFuture<List<Object>> reply = redis.<List<Object>>evalsha(digest, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                    if (cause instanceof RedisNoScriptException) {
                        return redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
                    }
                    return CompletableFuture.failedFuture(cause);
                });
        return reply.thenApply(v -> new Totals(((Number) v.get(0)).longValue(), ((Number) v.get(1)).longValue(),
                ((Number) v.get(2)).longValue()));
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        synchronized (connectLock) {
            CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
            if (c != null && !c.isCompletedExceptionally()) {
                return c;
            }
            if (c != null && System.nanoTime() - connectFailedAtNanos < RECONNECT_BACKOFF.toNanos()) {
                return c;
            }
            CompletableFuture<StatefulRedisConnection<String, String>> next =
                    client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            next.whenComplete((conn, e) -> {
                if (e != null) {
                    synchronized (connectLock) {
                        connectFailedAtNanos = System.nanoTime();
                    }
                }
            });
            connection = next;
            return next;
        }
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, String>> c;
        synchronized (connectLock) {
            c = connection;
            connection = null;
        }
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().close();
        }
        client.shutdown();
    }
}
