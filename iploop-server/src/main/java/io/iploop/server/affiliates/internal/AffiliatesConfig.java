package io.iploop.server.affiliates.internal;

import io.iploop.server.affiliates.AffiliatesService;
import io.iploop.server.earn.EarnService;
import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Wiring of the affiliates feature: the referral capture filter (after Spring Security, whose filter
 * chain runs at order -100) and the job {@code affiliates-release} (hourly at minute 17 UTC,
 * leader-elected and never overlapping through the jobs lock; docs/affiliates.md#commission).
 */
@Configuration(proxyBeanMethods = false)
class AffiliatesConfig {

    @Bean
    FilterRegistrationBean<ReferralCaptureFilter> referralCaptureFilter(EarnService earn, AffiliateRepository repo,
            AffiliatesSettings settings) {
        FilterRegistrationBean<ReferralCaptureFilter> r = new FilterRegistrationBean<>(
                new ReferralCaptureFilter(earn, repo, settings));
        r.setOrder(Ordered.LOWEST_PRECEDENCE - 100);
        return r;
    }

    @Bean
    ScheduledJob affiliatesReleaseJob(AffiliatesService affiliates, Clock clock) {
        return new ScheduledJob() {
            @Override
            public String name() {
                return "affiliates-release";
            }

            @Override
            public String cron() {
                return "0 17 * * * *";
            }

            @Override
            public Duration lockAtMostFor() {
                return Duration.ofMinutes(30);
            }

            @Override
            public String run() {
                return "released " + affiliates.releaseDue(clock.instant()) + " affiliate commissions";
            }
        };
    }
}
