package io.iploop.server.dataplane;

import io.iploop.gateway.spi.ClusterNodeDirectory;
import io.iploop.server.platform.RedisConnection;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's node directory in Redis (docs/deploy.md#node-directory). Keys, all under the hash
 * tag {@code {nodes}} (one Redis Cluster slot; one small key per node):
 *
 * <ul>
 *   <li>{@code <prefix>{nodes}:node:<nodeId>}: {@code 1 <gatewayId> <relayAddress> <country|-> <asn>
 *       <quality> <city>} (city last, may hold spaces; empty when unknown), expiring after the TTL;
 *   <li>{@code <prefix>{nodes}:all}, {@code …:country:<CC>}, {@code …:city:<cityKey>},
 *       {@code …:asn:<asn>}: sorted sets of node ids scored by their entry's expiry (epoch ms), so a
 *       lookup reads only live members and each write drops the expired ones.
 * </ul>
 *
 * A removal deletes a node's key only while it still names the removing gateway (a Lua script): a
 * node that moved to another gateway keeps that gateway's entry. {@link #publish} issues its
 * commands back to back (one pipeline) and waits for all of them; lookups are asynchronous. The
 * connection is opened on first use ({@link RedisConnection}).
 * Thread-safe.
 */
final class RedisNodeDirectory implements ClusterNodeDirectory, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisNodeDirectory.class);
    private static final String FORMAT = "1";

    /** KEYS[1] the node key, KEYS[2..] its location sets; ARGV[1] the gateway id. */
    static final String REMOVE = """
            local v = redis.call('GET', KEYS[1])
            if v and string.sub(v, 1, string.len(ARGV[1]) + 3) ~= ('1 ' .. ARGV[1] .. ' ') then
              return 0
            end
            redis.call('DEL', KEYS[1])
            local id = string.sub(KEYS[1], string.len(ARGV[2]) + 1)
            for i = 2, #KEYS do redis.call('ZREM', KEYS[i], id) end
            return 1
            """;

    private final RedisConnection connection;
    private final String keyPrefix;

    /**
     * @param url {@code redis://…} or {@code rediss://…} ({@code IPLOOP_REDIS_URL})
     * @param keyPrefix {@code IPLOOP_REDIS_KEY_PREFIX}; {@code {nodes}:} follows it
     */
    RedisNodeDirectory(String url, String keyPrefix) {
        this.connection = new RedisConnection(url, "iploop-node-directory-connect");
        this.keyPrefix = keyPrefix + "{nodes}:";
        log.info("Node directory in Redis at {} under {}*", connection.location(), this.keyPrefix);
    }

    String nodeKey(UUID nodeId) {
        return keyPrefix + "node:" + nodeId;
    }

    /** The location sets an entry is listed in. */
    List<String> sets(Entry e) {
        List<String> s = new ArrayList<>(4);
        s.add(keyPrefix + "all");
        if (e.country() != null) {
            s.add(keyPrefix + "country:" + e.country());
        }
        String city = cityKey(e.city());
        if (city != null) {
            s.add(keyPrefix + "city:" + city);
        }
        if (e.asn() != 0) {
            s.add(keyPrefix + "asn:" + e.asn());
        }
        return s;
    }

    /** Matching form of a city, as the gateway's selection uses it. */
    static @Nullable String cityKey(@Nullable String city) {
        if (city == null || city.isBlank()) {
            return null;
        }
        return city.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    }

    static String encode(Entry e) {
        return FORMAT + " " + e.gatewayId() + " " + e.relayAddress() + " " + (e.country() == null ? "-" : e.country()) + " "
                + e.asn() + " " + e.quality() + " " + (e.city() == null ? "" : e.city());
    }

    static @Nullable Entry decode(UUID nodeId, @Nullable String v) {
        if (v == null) {
            return null;
        }
        String[] f = v.split(" ", 7);
        if (f.length != 7 || !FORMAT.equals(f[0])) {
            return null;
        }
        try {
            return new Entry(nodeId, f[1], f[2], f[3].equals("-") ? null : f[3], f[6].isEmpty() ? null : f[6],
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void publish(List<Entry> up, List<Entry> down, Duration ttl) {
        RedisAsyncCommands<String, String> redis = connection.commands();
        long now = System.currentTimeMillis();
        long ttlMs = ttl.toMillis();
        List<RedisFuture<?>> replies = new ArrayList<>();
        for (Entry e : down) {
            List<String> keys = new ArrayList<>();
            keys.add(nodeKey(e.nodeId()));
            keys.addAll(sets(e));
            replies.add(redis.eval(REMOVE, ScriptOutputType.INTEGER, keys.toArray(String[]::new), e.gatewayId(),
                    keyPrefix + "node:"));
        }
        for (Entry e : up) {
            replies.add(redis.set(nodeKey(e.nodeId()), encode(e), SetArgs.Builder.px(ttlMs)));
            for (String set : sets(e)) {
                replies.add(redis.zadd(set, (double) (now + ttlMs), e.nodeId().toString()));
                replies.add(redis.zremrangebyscore(set, Range.create(Double.NEGATIVE_INFINITY, (double) now)));
                // A location nobody publishes any more disappears.
                replies.add(redis.pexpire(set, ttlMs * 4));
            }
        }
        if (replies.isEmpty()) {
            return;
        }
        RedisConnection.await(CompletableFuture.allOf(replies.stream().map(RedisFuture::toCompletableFuture)
                .toArray(CompletableFuture[]::new)), "the node directory update");
    }

    @Override
    public CompletionStage<List<Entry>> candidates(@Nullable String country, @Nullable String cityKey, int asn, int limit) {
        return connection.connectedAsync().thenCompose(c -> candidates(c, country, cityKey, asn, limit));
    }

    private CompletableFuture<List<Entry>> candidates(RedisAsyncCommands<String, String> redis, @Nullable String country,
            @Nullable String cityKey, int asn, int limit) {
        String set = cityKey != null ? keyPrefix + "city:" + cityKey
                : asn != 0 ? keyPrefix + "asn:" + asn
                : country != null ? keyPrefix + "country:" + country
                : keyPrefix + "all";
        return redis.zrangebyscore(set, Range.create((double) System.currentTimeMillis(), Double.POSITIVE_INFINITY),
                Limit.create(0, limit)).toCompletableFuture().thenCompose(ids -> {
                    if (ids.isEmpty()) {
                        return CompletableFuture.completedFuture(List.<Entry>of());
                    }
                    String[] keys = ids.stream().map(id -> keyPrefix + "node:" + id).toArray(String[]::new);
                    return redis.mget(keys).toCompletableFuture().thenApply(values -> {
                        List<Entry> out = new ArrayList<>(values.size());
                        for (KeyValue<String, String> kv : values) {
                            if (!kv.hasValue()) {
                                continue;
                            }
                            try {
                                Entry e = decode(UUID.fromString(kv.getKey().substring((keyPrefix + "node:").length())),
                                        kv.getValue());
                                if (e != null) {
                                    out.add(e);
                                }
                            } catch (IllegalArgumentException ignored) {
                                // not a node id: skip
                            }
                        }
                        return out;
                    });
                });
    }

    @Override
    public CompletionStage<Optional<Entry>> node(UUID nodeId) {
        return connection.connectedAsync().thenCompose(c -> c.get(nodeKey(nodeId)).toCompletableFuture())
                .thenApply(v -> Optional.ofNullable(decode(nodeId, v)));
    }

    @Override
    public void close() {
        connection.close();
    }
}
