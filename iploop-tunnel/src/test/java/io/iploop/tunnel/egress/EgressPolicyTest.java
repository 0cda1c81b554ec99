package io.iploop.tunnel.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DESIGN §6: the ranges and ports an exit must refuse. */
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
}
