package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignDomainsService;
import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.campaigns.ProjectStatus;
import io.iploop.server.jobs.ScheduledJob;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The campaigns feature's scheduled jobs (docs/campaigns.md#jobs), leader-elected and never
 * overlapping through the jobs feature's lock: {@code campaigns-domain-recheck} daily at 03:30 UTC,
 * {@code campaigns-expiry} every minute, {@code campaigns-engine} (the visit engine) every 5 seconds.
 */
@Configuration(proxyBeanMethods = false)
class CampaignJobs {

    @Bean
    ScheduledJob campaignDomainRecheckJob(CampaignDomainsService domains) {
        return new ScheduledJob() {
            @Override
            public String name() {
                return "campaigns-domain-recheck";
            }

            @Override
            public String cron() {
                return "0 30 3 * * *";
            }

            @Override
            public Duration lockAtMostFor() {
                return Duration.ofHours(2);
            }

            @Override
            public String run() {
                return domains.recheckAll();
            }
        };
    }

    @Bean
    ScheduledJob campaignExpiryJob(CampaignsService campaigns, ProjectRepository projects) {
        return new ScheduledJob() {
            @Override
            public String name() {
                return "campaigns-expiry";
            }

            @Override
            public String cron() {
                return "0 * * * * *";
            }

            @Override
            public String run() {
                int n = 0;
                for (UUID id : projects.expired(Instant.now())) {
                    if (campaigns.changeStatusBySystem(id, ProjectStatus.STOPPED, "The project reached its expiry date.")) {
                        n++;
                    }
                }
                return "stopped " + n + " expired projects";
            }
        };
    }

    @Bean
    ScheduledJob campaignEngineJob(CampaignEngine engine) {
        return new ScheduledJob() {
            @Override
            public String name() {
                return "campaigns-engine";
            }

            @Override
            public String cron() {
                return "*/5 * * * * *";
            }

            @Override
            public Duration lockAtMostFor() {
                // Short (60 s by default), not longer than the longest round (20 pages x 30 min on a
                // page): a round renews the lock while it runs, so a dead leader's lock lapses within a
                // minute and another instance takes over, finishing the dead round's open batches.
                return engine.lockAtMostFor();
            }

            @Override
            public String run() {
                return engine.tick(Instant.now());
            }
        };
    }
}
