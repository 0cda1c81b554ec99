package io.iploop.server.jobs.internal;

import io.iploop.server.jobs.ScheduledJob;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.support.CronTrigger;

/**
 * The ShedLock lock provider on the {@code shedlock} table (database time, so instance clocks don't
 * matter) and the registration of every {@link ScheduledJob} with Spring's scheduler.
 * {@code iploop.jobs.scheduling-enabled=false} leaves jobs to be run only on demand.
 */
@Configuration(proxyBeanMethods = false)
class JobsConfig implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(JobsConfig.class);

    private final DefaultJobsService jobs;
    private final boolean schedulingEnabled;

    JobsConfig(DefaultJobsService jobs,
            @Value("${iploop.jobs.scheduling-enabled:true}") boolean schedulingEnabled) {
        this.jobs = jobs;
        this.schedulingEnabled = schedulingEnabled;
    }

    @Bean
    static LockProvider jobLockProvider(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .usingDbTime()
                .build());
    }

    @Bean
    static LockingTaskExecutor jobLockingTaskExecutor(LockProvider jobLockProvider) {
        return new DefaultLockingTaskExecutor(jobLockProvider);
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        if (!schedulingEnabled) {
            log.info("scheduled jobs run on demand only (iploop.jobs.scheduling-enabled=false)");
            return;
        }
        for (ScheduledJob job : jobs.registered()) {
            registrar.addTriggerTask(() -> runQuietly(job), new CronTrigger(job.cron(), ZoneOffset.UTC));
        }
    }

    private void runQuietly(ScheduledJob job) {
        try {
            jobs.runScheduled(job);
        } catch (RuntimeException e) {
            // The next tick retries; the job's idempotency makes that safe.
            log.error("job {} failed", job.name(), e);
        }
    }
}
