package io.iploop.server.dataplane;

import io.iploop.gateway.spi.ClusterNodeDirectory;
import io.iploop.gateway.spi.LocationKeys;
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
 *   <li>{@code <prefix>{nodes}:node:<nodeId>}: {@code 2 <gatewayId> <relayAddress> <country|-> <asn>
 *       <quality> <region|-> <zip|-> <isp|-> <city>} (the keys in their matching forms, which hold no
 *       spaces; city last, may hold spaces; empty when unknown), expiring after the TTL. Entries of
 *       format {@code 1} (the release before: no region, postal code or ISP, the city after the
 *       quality) are still read, as nodes of unknown region, postal code and ISP;
 *   <li>{@code <prefix>{nodes}:all}, {@code …:country:<CC>}, {@code …:region:<CC>:<regionKey>},
 *       {@code …:city:<cityKey>}, {@code …:zip:<CC>:<zipKey>}, {@code …:asn:<asn>},
 *       {@code …:isp:<ispKey>}: sorted sets of node ids scored by their entry's expiry (epoch ms), so
 *       a lookup reads only live members and each write drops the expired ones.
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
    private static final String FORMAT = "2";
    private static final String FORMAT_1 = "1";

    /**
     * KEYS[1] the node key, KEYS[2..] its location sets; ARGV[1] the gateway id. Both formats start
     * with one character and a space before the gateway id.
     */
    static final String REMOVE = """
            local v = redis.call('GET', KEYS[1])
            if v and string.sub(v, 3, string.len(ARGV[1]) + 3) ~= (ARGV[1] .. ' ') then
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
        List<String> s = new ArrayList<>(7);
        s.add(keyPrefix + "all");
        if (e.country() != null) {
            s.add(keyPrefix + "country:" + e.country());
        }
        if (e.regionKey() != null) {
            s.add(regionSet(e.country(), e.regionKey()));
        }
        String city = LocationKeys.name(e.city());
        if (city != null) {
            s.add(keyPrefix + "city:" + city);
        }
        if (e.zipKey() != null) {
            s.add(zipSet(e.country(), e.zipKey()));
        }
        if (e.asn() != 0) {
            s.add(keyPrefix + "asn:" + e.asn());
        }
        if (e.ispKey() != null) {
            s.add(keyPrefix + "isp:" + e.ispKey());
        }
        return s;
    }

    // Region names and postal codes repeat across countries (Georgia; 10115 in Berlin and in the US).
    private String regionSet(@Nullable String country, String regionKey) {
        return keyPrefix + "region:" + (country == null ? "-" : country) + ":" + regionKey;
    }

    private String zipSet(@Nullable String country, String zipKey) {
        return keyPrefix + "zip:" + (country == null ? "-" : country) + ":" + zipKey;
    }

    /** The set of {@code where}'s narrowest location; a region or postal code without a country has none but "all". */
    String narrowestSet(Lookup where) {
        if (where.zipKey() != null && where.country() != null) {
            return zipSet(where.country(), where.zipKey());
        }
        if (where.cityKey() != null) {
            return keyPrefix + "city:" + where.cityKey();
        }
        if (where.regionKey() != null && where.country() != null) {
            return regionSet(where.country(), where.regionKey());
        }
        if (where.asn() != 0) {
            return keyPrefix + "asn:" + where.asn();
        }
        if (where.ispKey() != null) {
            return keyPrefix + "isp:" + where.ispKey();
        }
        return where.country() != null ? keyPrefix + "country:" + where.country() : keyPrefix + "all";
    }

    static String encode(Entry e) {
        return FORMAT + " " + e.gatewayId() + " " + e.relayAddress() + " " + orDash(e.country()) + " " + e.asn() + " "
                + e.quality() + " " + orDash(e.regionKey()) + " " + orDash(e.zipKey()) + " " + orDash(e.ispKey()) + " "
                + (e.city() == null ? "" : e.city());
    }

    /** A key field: "-" for none; whitespace (which the matching forms never hold) cannot split the entry. */
    private static String orDash(@Nullable String key) {
        return key == null || key.isEmpty() ? "-" : key.replaceAll("\\s", "_");
    }

    private static @Nullable String dashed(String field) {
        return field.equals("-") ? null : field;
    }

    /** The entry {@code v} of the node's key in either format, or null when absent or not an entry. */
    static @Nullable Entry decode(UUID nodeId, @Nullable String v) {
        if (v == null) {
            return null;
        }
        try {
            if (v.startsWith(FORMAT + " ")) {
                String[] f = v.split(" ", 10);
                return f.length != 10 ? null : new Entry(nodeId, f[1], f[2], dashed(f[3]), f[9].isEmpty() ? null : f[9],
                        Integer.parseInt(f[4]), Integer.parseInt(f[5]), dashed(f[6]), dashed(f[7]), dashed(f[8]));
            }
            if (v.startsWith(FORMAT_1 + " ")) {
                String[] f = v.split(" ", 7);
                return f.length != 7 ? null : new Entry(nodeId, f[1], f[2], dashed(f[3]), f[6].isEmpty() ? null : f[6],
                        Integer.parseInt(f[4]), Integer.parseInt(f[5]), null, null, null);
            }
            return null;
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
    public CompletionStage<List<Entry>> candidates(Lookup where, int limit) {
        return connection.connectedAsync().thenCompose(c -> candidates(c, narrowestSet(where), limit));
    }

    private CompletableFuture<List<Entry>> candidates(RedisAsyncCommands<String, String> redis, String set, int limit) {
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
