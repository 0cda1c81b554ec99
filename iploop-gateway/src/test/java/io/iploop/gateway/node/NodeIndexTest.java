package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.LocationKeys;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NodeIndexTest {

    private static Targeting t(String country, String state, String city, Integer asn, String isp, String zip) {
        return new Targeting(country, state, city, zip, asn, isp, null, Targeting.SessionType.ROTATING, null, null, null,
                null, null, false);
    }

    private static Set<NodeEntry> members(NodeIndex.Bucket b) {
        return new HashSet<>(Arrays.asList(b.toArray()));
    }

    @Test
    void bucketsFollowJoinAndLeave() {
        NodeIndex index = new NodeIndex();
        NodeEntry berlin = node("DE", "Berlin", "Berlin", 3320, "Deutsche Telekom AG", "10115");
        NodeEntry munich = node("DE", "Bavaria", "Munich", 3209, "Vodafone GmbH", null);
        NodeEntry ny = node("US", "New York", "New York", 7922, "Comcast Cable Communications, LLC", "10001");
        List.of(berlin, munich, ny).forEach(index::add);

        assertThat(index.size()).isEqualTo(3);
        assertThat(members(index.bucketFor(Targeting.NONE))).containsExactlyInAnyOrder(berlin, munich, ny);
        assertThat(members(index.bucketFor(t("DE", null, null, null, null, null)))).containsExactlyInAnyOrder(berlin, munich);
        assertThat(members(index.bucketFor(t("DE", "bavaria", null, null, null, null)))).containsExactly(munich);
        assertThat(members(index.bucketFor(t(null, null, "new_york", null, null, null)))).containsExactly(ny);
        assertThat(members(index.bucketFor(t(null, null, null, 3320, null, null)))).containsExactly(berlin);
        assertThat(members(index.bucketFor(t(null, null, null, null, "comcast_cable_communications_llc", null)))).containsExactly(ny);
        assertThat(members(index.bucketFor(t(null, null, null, null, null, "10001")))).containsExactly(ny);
        assertThat(index.bucketFor(t("FR", null, null, null, null, null)).size()).isZero();
        assertThat(index.bucketFor(t("DE", null, "paris", null, null, null)).size()).as("an unknown city empties the choice").isZero();

        index.remove(berlin);
        index.remove(berlin); // idempotent
        assertThat(index.size()).isEqualTo(2);
        assertThat(members(index.bucketFor(t("DE", null, null, null, null, null)))).containsExactly(munich);
        assertThat(index.bucketFor(t(null, null, null, 3320, null, null)).size()).isZero();
        index.add(berlin);
        assertThat(index.size()).as("a node removed (left) is never indexed again").isEqualTo(2);
    }

    @Test
    void aLeaveBeforeTheJoinKeepsTheNodeOut() {
        NodeIndex index = new NodeIndex();
        NodeEntry e = node("DE");
        index.remove(e);
        index.add(e);
        assertThat(index.size()).isZero();
    }

    @Test
    void theSmallestTargetedBucketIsUsed() {
        NodeIndex index = new NodeIndex();
        for (int i = 0; i < 10; i++) {
            index.add(node("US", "Texas", "Austin", 7018, "AT&T Services, Inc.", null));
        }
        NodeEntry one = node("US", "Texas", "Dallas", 7018, "AT&T Services, Inc.", null);
        index.add(one);
        assertThat(index.bucketFor(t("US", "texas", "dallas", 7018, null, null)).size()).isEqualTo(1);
        assertThat(index.bucketFor(t("US", "texas", null, 7018, "at_t_services_inc", null)).size()).isEqualTo(11);
    }

    @Test
    void manyJoinsAndLeavesKeepEveryBucketExact() {
        NodeIndex index = new NodeIndex();
        SplittableRandom rnd = new SplittableRandom(7);
        List<String> countries = List.of("DE", "US", "FR", "JP");
        Set<NodeEntry> live = new HashSet<>();
        List<NodeEntry> order = new java.util.ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            if (!order.isEmpty() && rnd.nextInt(3) == 0) {
                NodeEntry gone = order.remove(rnd.nextInt(order.size()));
                index.remove(gone);
                live.remove(gone);
            } else {
                NodeEntry e = node(countries.get(rnd.nextInt(countries.size())));
                index.add(e);
                live.add(e);
                order.add(e);
            }
        }
        assertThat(members(index.bucketFor(Targeting.NONE))).isEqualTo(live);
        for (String c : countries) {
            assertThat(members(index.bucketFor(t(c, null, null, null, null, null))))
                    .isEqualTo(live.stream().filter(e -> c.equals(e.countryKey)).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void placeIspAndZipKeysAreNormalised() {
        assertThat(LocationKeys.name("AT&T Services, Inc.")).isEqualTo("at_t_services_inc");
        assertThat(LocationKeys.name("  Telefónica de España ")).isEqualTo("telefonica_de_espana");
        assertThat(LocationKeys.name("deutsche__telekom_")).isEqualTo("deutsche_telekom");
        assertThat(LocationKeys.name("中国电信")).isNull();
        assertThat(LocationKeys.name("Île-de-France")).isEqualTo("ile_de_france");
        assertThat(LocationKeys.name("St. Louis")).isEqualTo("st_louis");
        assertThat(LocationKeys.name("new_york")).isEqualTo(LocationKeys.name("New York"));
        assertThat(LocationKeys.postalCode("sw1a 1aa")).isEqualTo("SW1A1AA");
        assertThat(LocationKeys.postalCode("100-0001")).isEqualTo("1000001");
        assertThat(LocationKeys.postalCode(" - ")).isNull();
    }
}
