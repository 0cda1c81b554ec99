package io.iploop.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PremiumCredit;
import io.iploop.gateway.spi.TargetingOption;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class AccountLimiterTest {

    private static AccountLimiter limiter(long maxStickySeconds) {
        return new AccountLimiter(new AccountLimits(0, 0, 0, AccountLimits.UNLIMITED_BYTES, true, maxStickySeconds,
                EnumSet.allOf(TargetingOption.class)), Clock.systemUTC());
    }

    private static Targeting sticky(Duration lifetime) {
        return Targeting.NONE.withLifetime(lifetime);
    }

    @Test
    void capsTheAskedLifetimeToThePlan() {
        assertThat(limiter(600).capLifetime(sticky(Duration.ofHours(2))).lifetime()).isEqualTo(Duration.ofSeconds(600));
        assertThat(limiter(600).capLifetime(sticky(Duration.ofMinutes(5))).lifetime()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void capsTheDefaultLifetimesToThePlan() {
        assertThat(limiter(600).capLifetime(Targeting.NONE).stickyLifetime()).isEqualTo(Duration.ofSeconds(600));
        assertThat(limiter(3600).capLifetime(Targeting.NONE)).isSameAs(Targeting.NONE); // 30 min default fits
    }

    @Test
    void noCapLeavesTheTargetingAlone() {
        Targeting t = sticky(Duration.ofHours(20));
        assertThat(limiter(0).capLifetime(t)).isSameAs(t);
    }

    @Test
    void entitlementsFollowTargetingOptions() {
        AccountLimiter countryOnly = new AccountLimiter(new AccountLimits(0, 0, 0, AccountLimits.UNLIMITED_BYTES, true, 0,
                EnumSet.of(TargetingOption.COUNTRY)), Clock.systemUTC());
        Targeting city = new Targeting("DE", null, "berlin", null, null, null, null, Targeting.SessionType.ROTATING, null,
                null, null, null, null, false);
        Refusal refusal = countryOnly.admit(city);
        assertThat(refusal).isNotNull();
        assertThat(refusal.detail()).startsWith("city targeting is not included in your plan");
    }

    @Test
    void anAccountOnHoldIsRefusedWithTheHoldBeforeAnyPlanRule() {
        AccountLimits unlimited = AccountLimits.UNLIMITED;
        AccountLimiter trial = new AccountLimiter(unlimited.withHold(AccountHold.EMAIL_NOT_VERIFIED), Clock.systemUTC());
        Refusal refusal = trial.admit(Targeting.NONE);
        assertThat(refusal).isNotNull();
        assertThat(refusal.error()).isEqualTo(ProxyError.EMAIL_NOT_VERIFIED);
        assertThat(refusal.error().status().code()).isEqualTo(403);
        assertThat(refusal.detail()).contains("verify your e-mail");

        Refusal password = new AccountLimiter(unlimited.withHold(AccountHold.PASSWORD_CHANGE_REQUIRED), Clock.systemUTC())
                .admit(Targeting.NONE);
        assertThat(password).isNotNull();
        assertThat(password.error().code()).isEqualTo("password_change_required");

        assertThat(new AccountLimiter(unlimited, Clock.systemUTC()).admit(Targeting.NONE)).isNull();
    }

    @Test
    void anExpiredSubscriptionIsRefusedWith402SubscriptionExpired() {
        Refusal expired = new AccountLimiter(AccountLimits.UNLIMITED.withHold(AccountHold.SUBSCRIPTION_EXPIRED),
                Clock.systemUTC()).admit(Targeting.NONE);
        assertThat(expired).isNotNull();
        assertThat(expired.error().status().code()).isEqualTo(402);
        assertThat(expired.error().code()).isEqualTo("subscription_expired");
        assertThat(expired.detail()).contains("subscription has expired");
    }

    @Test
    void targetingBeyondThePlanIsAdmittedWhileCreditsPayForItAnd402OnceTheyDoNot() {
        AccountLimiter countryOnly = new AccountLimiter(new AccountLimits(0, 0, 0, AccountLimits.UNLIMITED_BYTES, true, 0,
                EnumSet.of(TargetingOption.COUNTRY)), Clock.systemUTC());
        Targeting city = new Targeting("DE", null, "berlin", null, null, null, null, Targeting.SessionType.ROTATING, null,
                null, null, null, null, false);
        Targeting country = new Targeting("DE", null, null, null, null, null, null, Targeting.SessionType.ROTATING, null,
                null, null, null, null, false);

        countryOnly.credit(new PremiumCredit(EnumSet.of(TargetingOption.CITY, TargetingOption.STATE), true));
        assertThat(countryOnly.admit(city)).isNull();
        assertThat(countryOnly.premiumMask(city)).isEqualTo(1 << TargetingOption.CITY.ordinal());
        assertThat(countryOnly.premiumMask(country)).isZero();
        countryOnly.premiumCarried(countryOnly.premiumMask(city));
        assertThat(countryOnly.drainPremium()).containsExactly(TargetingOption.CITY);
        assertThat(countryOnly.drainPremium()).as("reported once").isEmpty();

        countryOnly.credit(new PremiumCredit(EnumSet.noneOf(TargetingOption.class), true));
        Refusal exhausted = countryOnly.admit(city);
        assertThat(exhausted).isNotNull();
        assertThat(exhausted.error()).isEqualTo(ProxyError.CREDITS_EXHAUSTED);
        assertThat(exhausted.error().status().code()).isEqualTo(402);
        assertThat(countryOnly.admit(country)).as("the plan's own targeting keeps working").isNull();

        countryOnly.credit(PremiumCredit.NONE);
        Refusal noCredits = countryOnly.admit(city);
        assertThat(noCredits).isNotNull();
        assertThat(noCredits.error()).isEqualTo(ProxyError.TARGETING_NOT_IN_PLAN);
    }
}
