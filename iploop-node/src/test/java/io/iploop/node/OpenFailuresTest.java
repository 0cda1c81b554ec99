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
                .isEqualTo("example.com:443: Connection refused");
    }

    @Test
    void recognizesRefusals() {
        assertThat(NodeAgent.isRefusal("refused: unknown node key")).isTrue();
        assertThat(NodeAgent.isRefusal("closed by gateway (4403)")).isTrue();
        assertThat(NodeAgent.isRefusal("dead peer: nothing read for 90000 ms")).isFalse();
    }
}
