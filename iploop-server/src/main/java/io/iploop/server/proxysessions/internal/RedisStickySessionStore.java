package io.iploop.server.proxysessions.internal;

import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.server.platform.RedisConnection;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@link StickySessionStore} in Redis (docs/sticky-sessions-redis.md), used instead
 * of {@link JdbcStickySessionStore} when {@code IPLOOP_REDIS_URL} is set. One string key per pin,
 * {@code <prefix>sticky:<userId>:<sessionId>}, whose value names the exit node, the targeting, the
 * pin time, the expiry and the lifetime ({@link #encode}); the key's Redis TTL is the pin's expiry,
 * so Redis itself forgets expired pins and {@link #purgeExpired} does nothing. A closed session
 * (expiry now) is deleted.
 *
 * <p>Like the PostgreSQL store it is called only from the node hub's store thread ({@link #load}
 * once at start, {@link #save} about once a second with the changed pins), never from a Netty
 * event loop nor per request: the pins in memory stay authoritative. {@link #save} sends its
 * commands through Lettuce's asynchronous API in one pipeline and waits at most {@link RedisConnection#TIMEOUT}
 * for the replies. When Redis cannot be reached the calls fail fast (commands are rejected while
 * disconnected, a failed connect is not retried for {@link RedisConnection#RECONNECT_BACKOFF}) and the node hub
 * retries the pins with its next batch; Lettuce reconnects by itself. Thread-safe.
 */
final class RedisStickySessionStore implements StickySessionStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisStickySessionStore.class);
    /** Longest wait for a connect or a batch of replies: the store thread also reports node counters. */
    /** After a failed connect, calls fail at once for this long instead of connecting again. */
    /** Version tag of {@link #encode}'s format, first field of every value. */
    private static final String FORMAT = "1";
    /** Keys per SCAN page and per MGET at {@link #load}. */
    private static final int PAGE = 500;

    private final RedisConnection connection;
    private final String keyPrefix;

    /**
     * @param url {@code redis://…} or {@code rediss://…} ({@code IPLOOP_REDIS_URL})
     * @param keyPrefix prefix of every key ({@code IPLOOP_REDIS_KEY_PREFIX}); {@code sticky:} follows it
     */
    RedisStickySessionStore(String url, String keyPrefix) {
        this.connection = new RedisConnection(url, "iploop-sticky-connect");
        this.keyPrefix = keyPrefix + "sticky:";
        log.info("Sticky sessions are kept in Redis at {} under {}*", connection.location(), this.keyPrefix);
    }

    /** The Redis key of one pin. */
    String key(UUID userId, String sessionId) {
        return keyPrefix + userId + ":" + sessionId;
    }

    /**
     * The value stored for a pin: {@code 1 <nodeId> <pinnedAt ms> <expiresAt ms> <lifetime ms>
     * <targeting>}, space-separated, epoch milliseconds; the targeting ({@code name-value} pairs
     * without spaces, possibly empty) comes last.
     */
    static String encode(StoredPin p) {
        return FORMAT + " " + p.nodeId() + " " + p.pinnedAt().toEpochMilli() + " " + p.expiresAt().toEpochMilli() + " "
                + p.lifetime().toMillis() + " " + p.targeting();
    }

    /**
     * Reads a value {@link #encode} wrote for the pin of {@code userId} and {@code sessionId}.
     *
     * @return the pin, or null when the value is not in a format this version reads
     */
    static @Nullable StoredPin decode(UUID userId, String sessionId, String value) {
        String[] f = value.split(" ", 6);
        if (f.length != 6 || !FORMAT.equals(f[0])) {
            return null;
        }
        try {
            return new StoredPin(userId, sessionId, UUID.fromString(f[1]), f[5], Instant.ofEpochMilli(Long.parseLong(f[2])),
                    Instant.ofEpochMilli(Long.parseLong(f[3])), Duration.ofMillis(Long.parseLong(f[4])));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public List<StoredPin> load(Instant now) {
        RedisAsyncCommands<String, String> redis = connection.commands();
        List<StoredPin> out = new ArrayList<>();
        int unreadable = 0;
        ScanArgs match = ScanArgs.Builder.matches(glob(keyPrefix) + "*").limit(PAGE);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = RedisConnection.await(redis.scan(cursor, match), "the sticky sessions");
            cursor = page;
            List<String> keys = page.getKeys();
            if (keys.isEmpty()) {
                continue;
            }
            for (KeyValue<String, String> kv : RedisConnection.await(redis.mget(keys.toArray(String[]::new)), "the sticky sessions")) {
                if (!kv.hasValue()) {
                    continue; // expired since the scan
                }
                StoredPin pin = parse(kv.getKey(), kv.getValue());
                if (pin == null) {
                    unreadable++;
                } else if (pin.expiresAt().isAfter(now)) {
                    out.add(pin);
                }
            }
        } while (!cursor.isFinished());
        if (unreadable > 0) {
            log.warn("Ignored {} sticky-session keys under {}* in a format this version does not read", unreadable, keyPrefix);
        }
        return out;
    }

    /** The pin stored under {@code key} with {@code value}, or null when either is not ours. */
    private @Nullable StoredPin parse(String key, String value) {
        String rest = key.substring(keyPrefix.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return decode(UUID.fromString(rest.substring(0, colon)), rest.substring(colon + 1), value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Writes each pin with its expiry as the key's TTL, or deletes it when it has expired (a closed
     * session), in one pipeline. Not atomic as a batch: when a reply fails or times out the whole
     * batch is reported failed and the node hub sends it again; each write is idempotent.
     */
    @Override
    public void save(List<StoredPin> pins) {
        if (pins.isEmpty()) {
            return;
        }
        RedisAsyncCommands<String, String> redis = connection.commands();
        long nowMillis = System.currentTimeMillis();
        List<RedisFuture<?>> replies = new ArrayList<>(pins.size());
        for (StoredPin p : pins) {
            String key = key(p.userId(), p.sessionId());
            // PX is relative, so a skew between this host's clock and Redis's does not move the expiry.
            long ttl = p.expiresAt().toEpochMilli() - nowMillis;
            replies.add(ttl > 0 ? redis.set(key, encode(p), SetArgs.Builder.px(ttl)) : redis.del(key));
        }
        RedisConnection.await(CompletableFuture.allOf(replies.stream().map(RedisFuture::toCompletableFuture)
                .toArray(CompletableFuture[]::new)), "the sticky sessions");
    }

    /**
     * One GET, asynchronous (docs/deploy.md#sticky-sessions-across-gateways). Without a connection
     * yet (Redis was unreachable at start) it connects on a virtual thread: a caller on an event
     * loop never waits for a connect.
     */
    @Override
    public CompletionStage<Optional<StoredPin>> find(UUID userId, String sessionId) {
        return connection.connectedAsync().thenCompose(cmd -> cmd.get(key(userId, sessionId)).toCompletableFuture())
                .thenApply(v -> v == null ? Optional.<StoredPin>empty() : Optional.ofNullable(decode(userId, sessionId, v)));
    }

    /** Nothing to do: each key expires in Redis with its pin (its TTL). */
    @Override
    public void purgeExpired(Instant now) {}


    /** {@code s} with Redis glob characters escaped, for SCAN's MATCH. */
    static String glob(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Closes the connection and the client's threads (after the data plane's last save). */
    @Override
    public void close() {
        connection.close();
    }
}
