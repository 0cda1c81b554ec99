package io.iploop.server.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequestWrapper;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The hooks' gate reads the socket peer under every wrapper and refuses forwarded requests. */
class LoopbackGuardTest {

    @Test
    void onlyALoopbackPeerWithoutForwardingHeadersPasses() {
        MockHttpServletRequest local = new MockHttpServletRequest();
        local.setRemoteAddr("127.0.0.1");
        assertThat(LoopbackGuard.allows(local)).isTrue();
        MockHttpServletRequest v6 = new MockHttpServletRequest();
        v6.setRemoteAddr("0:0:0:0:0:0:0:1");
        assertThat(LoopbackGuard.allows(v6)).isTrue();

        MockHttpServletRequest remote = new MockHttpServletRequest();
        remote.setRemoteAddr("203.0.113.5");
        assertThat(LoopbackGuard.allows(remote)).isFalse();
        // a wrapper that claims loopback (as a trusted-proxy filter would for X-Forwarded-For: 127.0.0.1) does not count
        HttpServletRequestWrapper lying = new HttpServletRequestWrapper(remote) {
            @Override
            public String getRemoteAddr() {
                return "127.0.0.1";
            }
        };
        assertThat(LoopbackGuard.allows(lying)).isFalse();

        MockHttpServletRequest forwarded = new MockHttpServletRequest();
        forwarded.setRemoteAddr("127.0.0.1");
        forwarded.addHeader("X-Forwarded-For", "127.0.0.1");
        assertThat(LoopbackGuard.allows(forwarded)).isFalse();
    }

    @Test
    void strikesLockOutAfterTheWindowAndClearUnderTheLimit() {
        StrikeTracker t = new StrikeTracker(java.time.Duration.ofMinutes(15), java.time.Duration.ofHours(1));
        java.time.Instant t0 = java.time.Instant.parse("2026-12-01T00:00:00Z");
        assertThat(t.report("a", 11, 10, t0)).isFalse();
        assertThat(t.report("a", 11, 10, t0.plusSeconds(14 * 60))).isFalse();
        assertThat(t.report("a", 11, 10, t0.plusSeconds(15 * 60))).isTrue();
        assertThat(t.lockedUntil("a", t0.plusSeconds(15 * 60))).isEqualTo(t0.plusSeconds(75 * 60));
        assertThat(t.report("a", 0, 10, t0.plusSeconds(74 * 60))).isTrue();
        assertThat(t.report("a", 0, 10, t0.plusSeconds(75 * 60))).isFalse();
        assertThat(t.report("b", 11, 10, t0)).isFalse();
        assertThat(t.report("b", 10, 10, t0.plusSeconds(10 * 60))).isFalse();
        assertThat(t.report("b", 11, 10, t0.plusSeconds(16 * 60))).isFalse();
    }
}
