package io.iploop.server.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.ClusterNodeDirectory.Entry;
import io.iploop.gateway.spi.ClusterNodeDirectory.Lookup;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's node directory in the machine's real Redis (127.0.0.1:6379; docs/deploy.md#node-directory):
 * a gateway finds another gateway's node by every location targeting can name (country, state, city,
 * ZIP, ASN, ISP), each from that location's own set; entries of the previous format are still read;
 * a removal by a gateway that no longer holds the node leaves the entry. Keys live under a prefix
 * unique to the run and are deleted afterwards. Fails, saying so, without a Redis on 6379.
 */
class RedisNodeDirectoryIT {

    static final String URL = "redis://127.0.0.1:6379";

    final String prefix = "iploop-it-" + UUID.randomUUID() + ":";
    RedisNodeDirectory directory;
    RedisClient client;
    StatefulRedisConnection<String, String> raw;

    @BeforeEach
    void open() {
        client = RedisClient.create(URL);
        raw = client.connect();
        directory = new RedisNodeDirectory(URL, prefix);
    }

    @AfterEach
    void close() {
        List<String> keys = raw.sync().keys(prefix + "*");
        if (!keys.isEmpty()) {
            raw.sync().del(keys.toArray(String[]::new));
        }
        directory.close();
        raw.close();
        client.shutdown();
    }

    static Entry node(String gateway, String country, String region, String city, String zip, int asn, String isp) {
        return new Entry(UUID.randomUUID(), gateway, "10.0.0.1:7790", country, city, asn, 70, region, zip, isp);
    }

    List<UUID> ids(Lookup where) throws Exception {
        return directory.candidates(where, 64).toCompletableFuture().get(5, TimeUnit.SECONDS).stream().map(Entry::nodeId).toList();
    }

    @Test
    void everyLocationTargetingCanNameFindsItsNodesFromItsOwnSet() throws Exception {
        Entry austin = node("g2", "US", "texas", "Austin", "78701", 7922, "comcast_cable");
        Entry newYork = node("g2", "US", "new_york", "New York", "10001", 701, "verizon_fios");
        Entry berlin = node("g3", "DE", "berlin", "Berlin", "10115", 3320, "deutsche_telekom_ag");
        directory.publish(List.of(austin, newYork, berlin), List.of(), Duration.ofSeconds(15));

        assertThat(ids(new Lookup("US", "texas", null, null, 0, null))).containsExactly(austin.nodeId());
        assertThat(ids(new Lookup("US", null, "new_york", null, 0, null))).containsExactly(newYork.nodeId());
        // The same postal code in two countries: the country decides.
        Entry us10115 = node("g2", "US", "new_york", "New York", "10115", 701, "verizon_fios");
        directory.publish(List.of(us10115), List.of(), Duration.ofSeconds(15));
        assertThat(ids(new Lookup("DE", null, null, "10115", 0, null))).containsExactly(berlin.nodeId());
        assertThat(ids(new Lookup("US", null, null, "10115", 0, null))).containsExactly(us10115.nodeId());
        assertThat(ids(new Lookup(null, null, null, null, 0, "comcast_cable"))).containsExactly(austin.nodeId());
        assertThat(ids(new Lookup(null, null, null, null, 3320, null))).containsExactly(berlin.nodeId());
        assertThat(ids(new Lookup("US", null, null, null, 0, null)))
                .containsExactlyInAnyOrder(austin.nodeId(), newYork.nodeId(), us10115.nodeId());
        assertThat(ids(new Lookup("US", "ohio", null, null, 0, null))).isEmpty();

        // Read back whole: every field survives the round trip, the city with its space.
        Entry read = directory.node(newYork.nodeId()).toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(read).isEqualTo(newYork);
    }

    @Test
    void entriesOfThePreviousFormatAreReadAsNodesOfUnknownRegionZipAndIsp() throws Exception {
        UUID id = UUID.randomUUID();
        raw.sync().set(directory.nodeKey(id), "1 g9 10.0.0.9:7790 FR 3215 64 Saint-Denis de la Réunion");
        Entry read = directory.node(id).toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(read).isEqualTo(new Entry(id, "g9", "10.0.0.9:7790", "FR", "Saint-Denis de la Réunion", 3215, 64,
                null, null, null));
        raw.sync().set(directory.nodeKey(id), "3 something newer");
        assertThat(directory.node(id).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aGatewayRemovesOnlyTheEntriesThatStillNameIt() throws Exception {
        Entry moved = node("g2", "US", "texas", "Austin", "78701", 7922, "comcast_cable");
        directory.publish(List.of(moved), List.of(), Duration.ofSeconds(15));
        Entry nowOnG3 = new Entry(moved.nodeId(), "g3", "10.0.0.3:7790", "US", "Austin", 7922, 70, "texas", "78701",
                "comcast_cable");
        directory.publish(List.of(nowOnG3), List.of(), Duration.ofSeconds(15));

        directory.publish(List.of(), List.of(moved), Duration.ofSeconds(15));
        assertThat(directory.node(moved.nodeId()).toCompletableFuture().get(5, TimeUnit.SECONDS)).contains(nowOnG3);

        directory.publish(List.of(), List.of(nowOnG3), Duration.ofSeconds(15));
        assertThat(directory.node(moved.nodeId()).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(ids(new Lookup("US", "texas", null, null, 0, null))).isEmpty();
    }
}
