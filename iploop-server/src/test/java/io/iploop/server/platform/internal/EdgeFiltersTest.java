package io.iploop.server.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The filters in front of Spring Security: trusted proxies and the Prometheus scrape guard. */
class EdgeFiltersTest {

    private static HttpServletRequest through(TrustedProxyFilter filter, MockHttpServletRequest request) throws Exception {
        AtomicReference<HttpServletRequest> seen = new AtomicReference<>();
        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> seen.set((HttpServletRequest) req));
        return seen.get();
    }

    private static MockHttpServletRequest from(String remote, String forwardedFor, String proto) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/login");
        r.setRemoteAddr(remote);
        r.addHeader("X-Forwarded-For", forwardedFor);
        r.addHeader("X-Forwarded-Proto", proto);
        return r;
    }

    @Test
    void forwardedHeadersCountOnlyFromTrustedProxies() throws Exception {
        TrustedProxyFilter none = new TrustedProxyFilter("");
        HttpServletRequest direct = through(none, from("10.0.0.5", "203.0.113.1", "https"));
        assertThat(direct.getRemoteAddr()).isEqualTo("10.0.0.5");
        assertThat(direct.isSecure()).isFalse();

        TrustedProxyFilter proxies = new TrustedProxyFilter("10.0.0.0/8, 2001:db8::1");
        HttpServletRequest viaProxy = through(proxies, from("10.0.0.5", "198.51.100.9, 203.0.113.1, 10.0.0.7", "https"));
        assertThat(viaProxy.getRemoteAddr()).as("rightmost untrusted hop").isEqualTo("203.0.113.1");
        assertThat(viaProxy.isSecure()).isTrue();
        assertThat(viaProxy.getScheme()).isEqualTo("https");

        HttpServletRequest stranger = through(proxies, from("203.0.113.50", "127.0.0.1", "https"));
        assertThat(stranger.getRemoteAddr()).isEqualTo("203.0.113.50");
        assertThat(stranger.isSecure()).isFalse();

        HttpServletRequest garbage = through(proxies, from("10.0.0.5", "203.0.113.1, not-an-ip", "http"));
        assertThat(garbage.getRemoteAddr()).as("stops at garbage").isEqualTo("10.0.0.5");

        assertThatThrownBy(() -> new TrustedProxyFilter("10.0.0.0/40")).hasMessageContaining("IPLOOP_TRUSTED_PROXIES");
    }

    private static int scrape(MetricsScrapeFilter filter, String remote, String authorization) throws Exception {
        MockHttpServletRequest r = new MockHttpServletRequest("GET", "/actuator/prometheus");
        r.setRemoteAddr(remote);
        if (authorization != null) {
            r.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse res = new MockHttpServletResponse();
        filter.doFilter(r, res, new MockFilterChain());
        return res.getStatus();
    }

    @Test
    void prometheusNeedsTheTokenOrALoopbackClient() throws Exception {
        MetricsScrapeFilter open = new MetricsScrapeFilter(null);
        assertThat(scrape(open, "127.0.0.1", null)).isEqualTo(200);
        assertThat(scrape(open, "::1", null)).isEqualTo(200);
        assertThat(scrape(open, "203.0.113.9", null)).isEqualTo(403);

        MetricsScrapeFilter tokened = new MetricsScrapeFilter("s3cret-token");
        assertThat(scrape(tokened, "203.0.113.9", "Bearer s3cret-token")).isEqualTo(200);
        assertThat(scrape(tokened, "127.0.0.1", null)).as("the token is required from loopback too").isEqualTo(401);
        assertThat(scrape(tokened, "203.0.113.9", "Bearer wrong")).isEqualTo(401);
        assertThat(scrape(tokened, "203.0.113.9", "Basic czNjcmV0LXRva2Vu")).isEqualTo(401);
    }
}
