package io.iploop.server.accounts.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.accounts.AccountsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SignupThrottleTest {

    private static SignupThrottle throttle(int perIp, int perDomain) {
        return new SignupThrottle(new AccountsSettings("http://127.0.0.1:8080", 5, 100, Duration.ofMinutes(15),
                Duration.ofMinutes(15), Duration.ofHours(1), perIp, perDomain, Duration.ofHours(1)));
    }

    @Test
    void concurrentSignUpsFromOneAddressNeverPassTheLimitTogether() throws Exception {
        SignupThrottle throttle = throttle(3, 0);
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String email = "u" + i + "@example.com";
            attempts.add(() -> {
                go.await();
                try {
                    throttle.reserve("203.0.113.7", email);
                    return true;
                } catch (AccountsException e) {
                    return false;
                }
            });
        }
        int passed = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> results = attempts.stream().map(pool::submit).toList();
            go.countDown();
            for (Future<Boolean> r : results) {
                passed += r.get() ? 1 : 0;
            }
        }
        assertThat(passed).isEqualTo(3);
    }

    @Test
    void aSignUpThatDoesNotCommitGivesItsTokensBack() {
        SignupThrottle throttle = throttle(1, 1);
        SignupThrottle.Reservation first = throttle.reserve("203.0.113.7", "a@example.com");
        assertThatThrownBy(() -> throttle.reserve("203.0.113.7", "b@example.org"))
                .isInstanceOf(AccountsException.class).hasMessageContaining("from your address");
        first.release();
        first.release();
        throttle.reserve("203.0.113.7", "b@example.com");
        assertThatThrownBy(() -> throttle.reserve("203.0.113.7", "c@example.org"))
                .as("a second release must not add a second token").isInstanceOf(AccountsException.class);
    }

    @Test
    void aRefusedDomainDoesNotSpendTheAddressToken() {
        SignupThrottle throttle = throttle(2, 1);
        throttle.reserve("203.0.113.7", "a@example.com");
        assertThatThrownBy(() -> throttle.reserve("203.0.113.7", "b@example.com"))
                .hasMessageContaining("example.com");
        throttle.reserve("203.0.113.7", "c@example.org");
    }

    @Test
    void ipv6ClientsAreCountedPerSlash64() {
        assertThat(SignupThrottle.addressKey("2001:db8:1:2::1"))
                .isEqualTo(SignupThrottle.addressKey("2001:db8:1:2:ffff:ffff:ffff:fffe"))
                .isNotEqualTo(SignupThrottle.addressKey("2001:db8:1:3::1"));
        assertThat(SignupThrottle.addressKey("::ffff:203.0.113.7")).isEqualTo("ip:203.0.113.7");
        assertThat(SignupThrottle.addressKey("203.0.113.7")).isEqualTo("ip:203.0.113.7");

        SignupThrottle throttle = throttle(1, 0);
        throttle.reserve("2001:db8:1:2::1", "a@example.com");
        assertThatThrownBy(() -> throttle.reserve("2001:db8:1:2::99", "b@example.com"))
                .isInstanceOf(AccountsException.class);
        throttle.reserve("2001:db8:1:3::1", "c@example.com");
    }
}
