package io.iploop.server.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.keys.KeysException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpWhitelistTest {

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void emptyAllowsEveryClient() {
        assertThat(IpWhitelist.of(List.of()).allows(ip("203.0.113.7"))).isTrue();
    }

    @Test
    void matchesAddressesAndRangesOfBothFamilies() {
        IpWhitelist w = IpWhitelist.of(IpWhitelist.validate(
                List.of("10.0.0.0/8", "203.0.113.7", "2001:db8::/32", "::1"), "ips"));
        assertThat(w.allows(ip("10.255.1.2"))).isTrue();
        assertThat(w.allows(ip("203.0.113.7"))).isTrue();
        assertThat(w.allows(ip("2001:db8:1::5"))).isTrue();
        assertThat(w.allows(ip("::1"))).isTrue();
        assertThat(w.allows(ip("11.0.0.1"))).isFalse();
        assertThat(w.allows(ip("127.0.0.1"))).isFalse();
        assertThat(w.allows(ip("2001:db9::1"))).isFalse();
    }

    @Test
    void zeroPrefixAllowsTheWholeFamily() {
        IpWhitelist w = IpWhitelist.of(List.of("0.0.0.0/0"));
        assertThat(w.allows(ip("198.51.100.1"))).isTrue();
        assertThat(w.allows(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void normalisesAndDeduplicates() {
        assertThat(IpWhitelist.validate(List.of(" 2001:DB8::/32", "2001:db8::/32", "1.2.3.4"), "ips"))
                .containsExactly("2001:db8::/32", "1.2.3.4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "1.2.3", "256.1.1.1", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.0/",
            "2001:db8::/129", "fe80::1%eth0", "::ffff:1.2.3.4", "1.2.3.4/24", ""})
    void rejectsABadEntryNamingIt(String bad) {
        assertThatThrownBy(() -> IpWhitelist.validate(List.of("10.0.0.1", bad), "ips"))
                .isInstanceOf(KeysException.class)
                .hasMessageStartingWith("ips: '" + bad + "' ")
                .satisfies(e -> assertThat(((KeysException) e).field()).isEqualTo("ips"));
    }

    @Test
    void hostBitsSuggestTheNetwork() {
        assertThatThrownBy(() -> IpWhitelist.validate(List.of("10.1.2.3/8"), "ips")).hasMessageContaining("10.0.0.0/8");
    }

    @Test
    void atMostFiftyEntries() {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            entries.add("192.0.2." + i);
        }
        assertThat(IpWhitelist.validate(entries.subList(0, 50), "ips")).hasSize(50);
        assertThatThrownBy(() -> IpWhitelist.validate(entries, "ips"))
                .hasMessage("ips: 51 entries (expected: at most 50)");
    }

    /** docs/ip-authorised-access.md: ranges either nest or are disjoint; families never overlap. */
    @Test
    void overlapIsNestingOfRanges() {
        assertThat(IpWhitelist.overlap("10.0.0.0/8", "10.1.2.3")).isTrue();
        assertThat(IpWhitelist.overlap("10.1.2.3", "10.0.0.0/8")).isTrue();
        assertThat(IpWhitelist.overlap("10.1.2.3", "10.1.2.3/32")).isTrue();
        assertThat(IpWhitelist.overlap("10.0.0.0/8", "11.0.0.0/8")).isFalse();
        assertThat(IpWhitelist.overlap("127.0.0.1", "127.0.0.2")).isFalse();
        assertThat(IpWhitelist.overlap("0.0.0.0/0", "192.0.2.1")).isTrue();
        assertThat(IpWhitelist.overlap("2001:db8::/32", "2001:db8::1")).isTrue();
        assertThat(IpWhitelist.overlap("::/0", "10.0.0.1")).isFalse();
    }
}
