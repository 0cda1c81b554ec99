package io.iploop.tunnel.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ranges and ports an exit must refuse (docs/security.md#exits-the-data-plane). */
class EgressPolicyTest {

    private final EgressPolicy strict = EgressPolicy.standard(false);
    private final EgressPolicy loopbackAllowed = EgressPolicy.standard(true);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254",
            "224.0.0.1", "240.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "fe80::1", "fc00::1", "ff02::1",
            "::ffff:192.168.1.1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:c0a8:101::1", "2001:db8::1"})
    void refusesInternalAddresses(String literal) throws Exception {
        assertThat(strict.checkAddress(InetAddress.getByName(literal))).isNotNull();
        assertThatThrownBy(() -> strict.resolve(literal, 80)).isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void loopbackSwitchAllowsLoopbackOnly() throws Exception {
        assertThat(loopbackAllowed.resolve("127.0.0.1", 8080).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(loopbackAllowed.checkAddress(InetAddress.getByName("::1"))).isNull();
        assertThat(loopbackAllowed.checkAddress(InetAddress.getByName("10.0.0.1"))).contains("reserved range 10.0.0.0/8");
        assertThat(loopbackAllowed.checkAddress(InetAddress.getByName("169.254.169.254"))).isNotNull();
    }

    @Test
    void publicAddressesPass() throws Exception {
        assertThat(strict.checkAddress(InetAddress.getByName("93.184.216.34"))).isNull();
        assertThat(strict.checkAddress(InetAddress.getByName("2606:2800:220:1:248:1893:25c8:1946"))).isNull();
    }

    @Test
    void smtpPortsAndBadPortsAreRefused() {
        assertThat(strict.checkPort(25)).contains("SMTP");
        assertThat(strict.checkPort(465)).contains("SMTP");
        assertThat(strict.checkPort(587)).contains("SMTP");
        assertThat(strict.checkPort(0)).contains("out of range");
        assertThat(strict.checkPort(443)).isNull();
    }

    @Test
    void adminBlocklistCoversSubdomainsAndCidrs() throws Exception {
        EgressPolicy p = new EgressPolicy(false, List.of("Bad.Example"), List.of("93.184.216.0/24"));
        assertThat(p.checkDomain("www.bad.example.")).contains("blocklist");
        assertThat(p.checkDomain("notbad.example")).isNull();
        assertThat(p.checkAddress(InetAddress.getByName("93.184.216.34"))).contains("blocklist");
        assertThatThrownBy(() -> new EgressPolicy(false, List.of(), List.of("10.0.0.0/33")))
                .hasMessageContaining("prefix: 33");
        assertThatThrownBy(() -> Cidr.parse("not-an-ip/8")).hasMessageContaining("expected: an IPv4 or IPv6 address");
    }

    /** The IANA special-purpose IPv6 blocks that are not globally reachable, one address of each. */
    @ParameterizedTest
    @ValueSource(strings = {
        "::a00:1", "::10.0.0.1", "::8.8.8.8", "::",                // IPv4-compatible ::/96 (deprecated), unspecified
        "::ffff:0:10.0.0.1", "::ffff:0:8.8.8.8",                  // IPv4-translated ::ffff:0:0:0/96 (RFC 2765)
        "64:ff9b:1::1", "64:ff9b:1:ffff::8.8.8.8",                // local-use NAT64 64:ff9b:1::/48 (RFC 8215)
        "64:ff9b::10.0.0.1", "64:ff9b::192.168.1.1", "64:ff9b::127.0.0.1", "64:ff9b::169.254.169.254",
        "2002:a00:1::1", "2002:a9fe:a9fe::1", "2002:7f00:1::1",   // 6to4 carrying 10.0.0.1, 169.254.169.254, 127.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::1",         // Teredo 2001::/32 (RFC 4380)
        "2001:2::1", "2001:10::1", "2001:db8::1",                  // IETF assignments, ORCHID, documentation
        "100::1", "100:0:0:1::1", "3fff::1", "5f00::1",            // discard, dummy prefix, documentation, SRv6 SIDs
        "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "ff0e::1"})
    void refusesSpecialPurposeIpv6(String literal) throws Exception {
        assertThat(strict.checkAddress(InetAddress.getByName(literal))).as(literal).isNotNull();
        assertThat(loopbackAllowed.checkAddress(InetAddress.getByName(literal))).as(literal).isNotNull();
        assertThatThrownBy(() -> strict.resolve(literal, 443)).isInstanceOf(EgressDeniedException.class);
    }

    @Test
    void ipv4MappedKeptAsInet6AddressIsCheckedByItsIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        assertThat(strict.checkAddress(Inet6Address.getByAddress(null, mapped, -1))).contains("10.0.0.0/8");
        byte[] publicMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 8, 8, 8, 8};
        assertThat(strict.checkAddress(Inet6Address.getByAddress(null, publicMapped, -1))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::808:808", "2002:808:808::1", "2001:4860:4860::8888", "2620:4f:8000::1"})
    void globallyReachableIpv6Passes(String literal) throws Exception {
        assertThat(strict.checkAddress(InetAddress.getByName(literal))).isNull();
    }

    @Test
    void theLoopbackSwitchNeverOpensThePlatformsOwnPorts() throws Exception {
        EgressPolicy p = loopbackAllowed.withProtectedLocalPorts(List.of(8080, 8001, 5432, 0));
        assertThat(p.protectedLocalPorts()).containsExactlyInAnyOrder(8080, 8001, 5432);
        for (String host : List.of("127.0.0.1", "127.0.0.2", "::1", "localhost")) {
            assertThatThrownBy(() -> p.resolve(host, 5432)).as(host).isInstanceOf(EgressDeniedException.class)
                    .hasMessageNotContaining("127.0.0.1");
        }
        assertThatThrownBy(() -> p.resolve("127.0.0.1", 8080)).hasMessageContaining("port 8080");
        assertThat(p.resolve("127.0.0.1", 9999).getPort()).isEqualTo(9999);
        // This host's own non-loopback addresses are the platform's too.
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                assertThat(p.checkLocalPort(a, 8001)).as(a.toString()).isNotNull();
            }
        }
        assertThat(p.checkLocalPort(InetAddress.getByName("93.184.216.34"), 8001)).isNull();
        assertThat(EgressPolicy.standard(true).resolve("127.0.0.1", 5432).getPort()).isEqualTo(5432);
    }

    @Test
    void aDenialForANameNeverRevealsTheAddressItResolvedTo() {
        EgressPolicy p = EgressPolicy.standard(false);
        assertThatThrownBy(() -> p.resolve("localhost", 80)).isInstanceOf(EgressDeniedException.class)
                .hasMessageContaining("localhost")
                .hasMessageNotContaining("127.0.0.1").hasMessageNotContaining("::1").hasMessageNotContaining("/8");
        // The customer's own literal may be named back.
        assertThatThrownBy(() -> p.resolve("10.1.2.3", 80)).hasMessageContaining("10.1.2.3");
    }
}
