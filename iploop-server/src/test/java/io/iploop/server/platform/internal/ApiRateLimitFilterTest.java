package io.iploop.server.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

class ApiRateLimitFilterTest {

    private final ApiRateLimitFilter filter = new ApiRateLimitFilter(2, JsonMapper.builder().build());

    private MockHttpServletResponse call(String ip) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api/plans");
        req.setRemoteAddr(ip);
        MockHttpServletResponse res = new MockHttpServletResponse();
        filter.doFilter(req, res, new MockFilterChain());
        return res;
    }

    @Test
    void theThirdCallInAMinuteGets429WithRetryAfterAndOtherCallersAreUnaffected() throws Exception {
        MockHttpServletResponse first = call("10.0.0.1");
        assertThat(first.getStatus()).isEqualTo(200);
        assertThat(first.getHeader("X-RateLimit-Limit")).isEqualTo("2");
        assertThat(first.getHeader("X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(call("10.0.0.1").getHeader("X-RateLimit-Remaining")).isEqualTo("0");

        MockHttpServletResponse third = call("10.0.0.1");
        assertThat(third.getStatus()).isEqualTo(429);
        assertThat(Long.parseLong(third.getHeader("Retry-After"))).isBetween(1L, 30L);
        assertThat(Long.parseLong(third.getHeader("X-RateLimit-Reset"))).isBetween(1L, 60L);
        assertThat(third.getContentAsString()).contains("rate_limited");

        assertThat(call("10.0.0.2").getStatus()).isEqualTo(200);
    }

    @Test
    void pathsOutsideTheApiAreNotLimited() throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/actuator/health");
        MockHttpServletResponse res = new MockHttpServletResponse();
        filter.doFilter(req, res, new MockFilterChain());
        assertThat(res.getHeader("X-RateLimit-Limit")).isNull();
    }
}
