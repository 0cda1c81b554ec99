package io.iploop.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.exit.ExitException;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyErrorTest {

    @Test
    void codesAreUniqueAndStatusesMatchTheDesign() {
        assertThat(Arrays.stream(ProxyError.values()).map(ProxyError::code).distinct().count())
                .isEqualTo(ProxyError.values().length);
        assertThat(ProxyError.BAD_CREDENTIALS.status().code()).isEqualTo(407);
        assertThat(ProxyError.PAYMENT_REQUIRED.status().code()).isEqualTo(402);
        assertThat(ProxyError.IP_NOT_WHITELISTED.status().code()).isEqualTo(403);
        assertThat(ProxyError.RATE_LIMITED.status().code()).isEqualTo(429);
        assertThat(ProxyError.INVALID_TARGETING.status().code()).isEqualTo(400);
        assertThat(ProxyError.of(ExitException.Failure.NO_MATCHING_EXIT).status().code()).isEqualTo(503);
        assertThat(ProxyError.of(ExitException.Failure.CONNECT_FAILED).status().code()).isEqualTo(502);
        assertThat(ProxyError.of(ExitException.Failure.TIMEOUT).status().code()).isEqualTo(504);
        assertThat(ProxyError.of(ExitException.Failure.FORBIDDEN_TARGET).status().code()).isEqualTo(403);
    }

    @Test
    void socksRepliesFollowRfc1928() {
        assertThat(ProxyError.TARGET_FORBIDDEN.socksReply()).isEqualTo(Socks5CommandStatus.FORBIDDEN);
        assertThat(ProxyError.NO_MATCHING_EXIT.socksReply()).isEqualTo(Socks5CommandStatus.HOST_UNREACHABLE);
        assertThat(ProxyError.EXIT_CONNECT_FAILED.socksReply()).isEqualTo(Socks5CommandStatus.CONNECTION_REFUSED);
        assertThat(ProxyError.EXIT_TIMEOUT.socksReply()).isEqualTo(Socks5CommandStatus.TTL_EXPIRED);
        assertThat(ProxyError.INTERNAL_ERROR.socksReply()).isEqualTo(Socks5CommandStatus.FAILURE);
        assertThat(ProxyError.of(ExitException.Failure.DNS_NAME_NOT_FOUND).socksReply()).isEqualTo(Socks5CommandStatus.HOST_UNREACHABLE);
        assertThat(ProxyError.of(ExitException.Failure.DNS_SERVER_FAILURE).socksReply()).isEqualTo(Socks5CommandStatus.HOST_UNREACHABLE);
        assertThat(ProxyError.of(ExitException.Failure.UNREACHABLE).socksReply()).isEqualTo(Socks5CommandStatus.HOST_UNREACHABLE);
    }

    @Test
    void dnsFailuresAreRfc9209DnsErrorsWithTheirRcode() {
        assertThat(ProxyErrorResponses.proxyStatus(ProxyError.of(ExitException.Failure.DNS_NAME_NOT_FOUND), "no such name"))
                .isEqualTo("iploop; error=dns_error; rcode=\"NXDOMAIN\"; details=\"no such name\"");
        assertThat(ProxyErrorResponses.proxyStatus(ProxyError.of(ExitException.Failure.DNS_SERVER_FAILURE), ""))
                .isEqualTo("iploop; error=dns_error; rcode=\"SERVFAIL\"");
        assertThat(ProxyError.of(ExitException.Failure.TIMEOUT).proxyStatusError()).isEqualTo("connection_timeout");
        assertThat(ProxyError.of(ExitException.Failure.CONNECT_FAILED).proxyStatusError()).isEqualTo("connection_refused");
        assertThat(ProxyError.of(ExitException.Failure.UNREACHABLE).proxyStatusError()).isEqualTo("destination_ip_unroutable");
    }

    @Test
    void responsesCarryTheirHeaders() {
        FullHttpResponse r407 = ProxyErrorResponses.http(UnpooledByteBufAllocator.DEFAULT, ProxyError.BAD_CREDENTIALS,
                "bad \"key\"\n", List.of(), null);
        assertThat(r407.headers().get("Proxy-Authenticate")).isEqualTo("Basic realm=\"IPLoop\"");
        assertThat(r407.headers().get("X-IPLoop-Error")).isEqualTo("bad_credentials");
        assertThat(r407.headers().get("Proxy-Status"))
                .isEqualTo("iploop; error=http_request_denied; details=\"bad \\\"key\\\"?\"");
        r407.release();

        FullHttpResponse r503 = ProxyErrorResponses.http(UnpooledByteBufAllocator.DEFAULT, ProxyError.NO_MATCHING_EXIT,
                "no exit in FR", List.of("country-DE", "country-US"), null);
        assertThat(r503.headers().get("X-IPLoop-Alternatives")).isEqualTo("country-DE, country-US");
        r503.release();

        FullHttpResponse r429 = ProxyErrorResponses.http(UnpooledByteBufAllocator.DEFAULT, ProxyError.RATE_LIMITED,
                "slow down", List.of(), Duration.ofMillis(2500));
        assertThat(r429.headers().get("Retry-After")).isEqualTo("3");
        r429.release();
    }
}
