package io.iploop.gateway.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.gateway.spi.BlockedDestination;
import java.util.List;
import org.junit.jupiter.api.Test;

class DestinationBlocklistTest {

    private final DestinationBlocklist list = DestinationBlocklist.of(List.of(
            new BlockedDestination("*.example.com", null, 0, "suffix"),
            new BlockedDestination("Exact.Test.", null, 0, "exact"),
            new BlockedDestination(null, "10.0.0.0/8", 0, "private"),
            new BlockedDestination(null, "fc00::/7", 443, "ula https"),
            new BlockedDestination(null, null, 25, "smtp"),
            new BlockedDestination(null, "not-a-cidr", 0, "skipped")));

    @Test
    void hostEntriesMatchExactNamesAndSuffixesCaseInsensitively() {
        assertThat(list.match("a.example.com", 80)).isNotNull();
        assertThat(list.match("A.B.EXAMPLE.COM.", 80)).isNotNull();
        assertThat(list.match("example.com", 80)).isNull();
        assertThat(list.match("badexample.com", 80)).isNull();
        assertThat(list.match("exact.test", 80)).isNotNull();
        assertThat(list.match("sub.exact.test", 80)).isNull();
    }

    @Test
    void cidrEntriesMatchLiteralsOnly() {
        assertThat(list.match("10.1.2.3", 80)).isNotNull();
        assertThat(list.match("::ffff:10.1.2.3", 80)).as("IPv4-mapped literal").isNotNull();
        assertThat(list.match("11.0.0.1", 80)).isNull();
        assertThat(list.match("[fd00::1]", 443)).isNotNull();
        assertThat(list.match("fd00::1", 80)).as("the v6 entry is for 443 only").isNull();
        assertThat(list.match("ten.example.org", 80)).as("names are not resolved").isNull();
    }

    @Test
    void portEntriesMatchEveryHost() {
        assertThat(list.match("anything.org", 25).reason()).isEqualTo("smtp");
        assertThat(list.match("anything.org", 26)).isNull();
    }

    @Test
    void malformedEntriesAreRefused() {
        assertThatThrownBy(() -> new BlockedDestination("a.com", "10.0.0.0/8", 0, "x")).hasMessageContaining("both");
        assertThatThrownBy(() -> new BlockedDestination(null, null, 0, "x")).hasMessageContaining("neither");
        assertThatThrownBy(() -> new BlockedDestination(null, null, 70000, "x")).hasMessageContaining("port");
    }
}
