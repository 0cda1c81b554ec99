package io.iploop.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.testing.ModuleTestDatabase;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.test.context.ContextConfiguration;

/**
 * The jobs feature alone (Spring Modulith module test): {@link JobsService} runs a job this test
 * declares under its ShedLock lock in the real embedded PostgreSQL ({@code shedlock} table), and a
 * second run while the first holds the lock does nothing.
 */
@ApplicationModuleTest
@ContextConfiguration(initializers = ModuleTestDatabase.class)
class JobsModuleIT {

    /** A job that counts its runs and, when asked, waits inside its run until released. */
    static final class GatedJob implements ScheduledJob {
        final AtomicInteger runs = new AtomicInteger();
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);

        @Override
        public String name() {
            return "module-test-job";
        }

        @Override
        public String cron() {
            return "0 0 0 1 1 *";
        }

        @Override
        public String run() {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return "run " + runs.incrementAndGet();
        }
    }

    @TestConfiguration
    static class Jobs {
        @Bean
        GatedJob gatedJob() {
            return new GatedJob();
        }
    }

    @Autowired
    JobsService jobs;

    @Autowired
    GatedJob job;

    @Test
    void aDeclaredJobIsListedAndRunsOnDemand() {
        assertThat(jobs.jobs()).extracting(JobInfo::name).contains("module-test-job");
        int before = job.runs.get();

        JobRun run = jobs.runNow("module-test-job");

        assertThat(run.executed()).isTrue();
        assertThat(run.summary()).isEqualTo("run " + (before + 1));
        assertThat(job.runs.get()).isEqualTo(before + 1);
    }

    @Test
    void aRunWhileTheLockIsHeldDoesNothing() throws Exception {
        job.entered = new CountDownLatch(1);
        job.release = new CountDownLatch(1);
        CompletableFuture<JobRun> first = CompletableFuture.supplyAsync(() -> jobs.runNow("module-test-job"));
        try {
            assertThat(job.entered.await(30, TimeUnit.SECONDS)).as("the first run started").isTrue();
            int during = job.runs.get();

            JobRun second = jobs.runNow("module-test-job");

            assertThat(second.executed()).isFalse();
            assertThat(second.summary()).isNull();
            assertThat(job.runs.get()).isEqualTo(during);
        } finally {
            job.release.countDown();
        }
        assertThat(first.get(30, TimeUnit.SECONDS).executed()).isTrue();
    }

    @Test
    void anUnknownJobIsRefused() {
        assertThatThrownBy(() -> jobs.runNow("no-such-job")).isInstanceOf(JobsException.class);
    }
}
