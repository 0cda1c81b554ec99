package io.iploop.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.limits.SubUserLimiter;
import io.iploop.gateway.metering.UsageBatcher;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.SubUserLimits;
import io.iploop.gateway.spi.TargetingOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission of a sub-user's connection (docs/sub-users.md#limits): its own connection slots on
 * top of the account's, both held until the connection closes, and the account's own keys beside it.
 */
class SubUserAdmissionTest {

    private static final UUID ACCOUNT = UUID.randomUUID();
    private static final UUID TWO_CONNECTIONS = UUID.randomUUID();
    private static final UUID UNLIMITED_SUB_USER = UUID.randomUUID();
    private static final AtomicLong IDS = new AtomicLong();

    private Limits limits;
    private UsageBatcher usage;
    private AccountLimiter account;

    @BeforeEach
    void start() {
        // The plan allows 3 connections at once; one sub-user 2 of them, the other no own limit.
        AccountLimits plan = new AccountLimits(0, 0, 3, AccountLimits.UNLIMITED_BYTES, true, 0,
                EnumSet.allOf(TargetingOption.class));
        Map<UUID, SubUserLimits> subUsers = Map.of(
                TWO_CONNECTIONS, new SubUserLimits(AccountLimits.UNLIMITED_BYTES, 0, 0, Set.of(), true, 2),
                UNLIMITED_SUB_USER, SubUserLimits.UNLIMITED);
        limits = new Limits(userId -> plan, subUsers::get, Runnable::run, Clock.systemUTC(), Duration.ofHours(1));
        usage = new UsageBatcher(batch -> {}, Duration.ofSeconds(1), new SimpleMeterRegistry());
        account = limits.limiter(ACCOUNT).join();
    }

    @AfterEach
    void stop() {
        usage.close();
        limits.close();
    }

    private static ProxyConnection connection() throws Exception {
        return new ProxyConnection(IDS.incrementAndGet(), "http", InetAddress.getLoopbackAddress());
    }

    private @Nullable Refusal admit(ProxyConnection c, @Nullable UUID subUserId) {
        @Nullable SubUserLimiter sub = subUserId == null ? null : limits.subUserLimiter(subUserId).join();
        return ProxyAuthentication.admit(c, account, sub, Targeting.NONE, usage);
    }

    @Test
    void theThirdConnectionOfATwoConnectionSubUserIsRefusedWhileTheAccountGoesOn() throws Exception {
        ProxyConnection first = connection();
        ProxyConnection second = connection();
        assertThat(admit(first, TWO_CONNECTIONS)).isNull();
        assertThat(admit(second, TWO_CONNECTIONS)).isNull();
        // A second request on a kept-alive connection keeps its slot rather than taking another.
        assertThat(admit(second, TWO_CONNECTIONS)).isNull();

        ProxyConnection third = connection();
        Refusal refused = admit(third, TWO_CONNECTIONS);
        assertThat(refused).isNotNull();
        assertThat(refused.error()).isEqualTo(ProxyError.CONCURRENCY_LIMITED);
        assertThat(refused.error().status().code()).isEqualTo(429);
        assertThat(refused.detail()).isEqualTo("more than 2 concurrent connections for this sub-user");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        third.releaseSlot(); // closed after the refusal

        ProxyConnection own = connection();
        assertThat(admit(own, null)).as("the account's own key: 3rd of the plan's 3").isNull();
        assertThat(account.openConnections()).isEqualTo(3);

        first.releaseSlot();
        ProxyConnection again = connection();
        assertThat(admit(again, TWO_CONNECTIONS)).as("a slot of both was given back").isNull();
    }

    @Test
    void theAccountsConnectionLimitStillAppliesToASubUserWithoutItsOwn() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(admit(connection(), UNLIMITED_SUB_USER)).isNull();
        }
        Refusal refused = admit(connection(), UNLIMITED_SUB_USER);
        assertThat(refused).isNotNull();
        assertThat(refused.error()).isEqualTo(ProxyError.CONCURRENCY_LIMITED);
        assertThat(refused.detail()).isEqualTo("more than 3 concurrent connections");
    }

    @Test
    void aKeptAliveConnectionReusedWithTheAccountsKeyGivesTheSubUsersSlotBack() throws Exception {
        ProxyConnection c = connection();
        assertThat(admit(c, TWO_CONNECTIONS)).isNull();
        SubUserLimiter sub = limits.subUserLimiter(TWO_CONNECTIONS).join();
        assertThat(sub.openConnections()).isEqualTo(1);
        assertThat(admit(c, null)).isNull();
        assertThat(sub.openConnections()).isZero();
        assertThat(account.openConnections()).as("the account's slot is kept").isEqualTo(1);
        c.releaseSlot();
        assertThat(account.openConnections()).isZero();
    }
}
