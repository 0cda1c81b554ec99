package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.egress.EgressDeniedException;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class OpenFailuresTest {

    @Test
    void mapsEachCauseToItsWireReason() {
        assertThat(OpenFailures.of(new EgressDeniedException("no"))).isEqualTo(OpenFailure.FORBIDDEN);
        assertThat(OpenFailures.of(new UnknownHostException("x"))).isEqualTo(OpenFailure.DNS_FAILURE);
        assertThat(OpenFailures.of(new UnknownHostException("nonexistent.invalid: Name or service not known")))
                .isEqualTo(OpenFailure.DNS_FAILURE);
        assertThat(OpenFailures.of(new UnknownHostException("example.com: Temporary failure in name resolution")))
                .isEqualTo(OpenFailure.DNS_SERVER_FAILURE);
        assertThat(OpenFailures.of(new ConnectTimeoutException("slow"))).isEqualTo(OpenFailure.TIMEOUT);
        assertThat(OpenFailures.of(new ConnectException("Connection refused"))).isEqualTo(OpenFailure.CONNECTION_REFUSED);
        assertThat(OpenFailures.of(new NoRouteToHostException("no route"))).isEqualTo(OpenFailure.UNREACHABLE);
        assertThat(OpenFailures.of(new IOException("other"))).isEqualTo(OpenFailure.UNREACHABLE);
    }

    @Test
    void messagesNameTheTargetOrTheRule() {
        assertThat(OpenFailures.describe("nope.invalid", 80, new UnknownHostException("nope.invalid")))
                .isEqualTo("host nope.invalid does not resolve");
        assertThat(OpenFailures.describe("10.0.0.1", 80, new EgressDeniedException("address 10.0.0.1 is in the reserved range")))
                .isEqualTo("address 10.0.0.1 is in the reserved range");
        assertThat(OpenFailures.describe("example.com", 443, new ConnectException("Connection refused")))
                .isEqualTo("example.com:443: connection refused");
        assertThat(OpenFailures.describe("example.com", 443, new ConnectTimeoutException("connection timed out: /10.1.2.3:443")))
                .isEqualTo("example.com:443: connect timed out");
    }

    @Test
    void messagesNeverNameTheResolvedAddress() {
        // The JDK names the address it connected to; on a home network that address is private.
        assertThat(OpenFailures.describe("printer.home", 631, new ConnectException("Connection refused: /192.168.1.5:631")))
                .isEqualTo("printer.home:631: connection refused")
                .doesNotContain("192.168");
        assertThat(OpenFailures.describe("nas.home", 80, new NoRouteToHostException("No route to host: /10.0.0.9:80")))
                .doesNotContain("10.0.0.9");
    }

    @Test
    void recognizesRefusals() {
        assertThat(NodeAgent.isRefusal("refused: unknown node key")).isTrue();
        assertThat(NodeAgent.isRefusal("closed by gateway (4403)")).isTrue();
        assertThat(NodeAgent.isRefusal("dead peer: nothing read for 90000 ms")).isFalse();
    }
}
