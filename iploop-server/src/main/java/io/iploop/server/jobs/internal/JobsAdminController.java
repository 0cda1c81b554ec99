package io.iploop.server.jobs.internal;

import io.iploop.server.jobs.JobInfo;
import io.iploop.server.jobs.JobRun;
import io.iploop.server.jobs.JobsService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/admin/jobs}: list scheduled jobs and run one now (docs/product/admin.md#earn-and-money-tools). Admins only. */
@RestController
@RequestMapping("/api/admin/jobs")
@Tag(name = "Admin: jobs")
class JobsAdminController {

    private final JobsService jobs;

    JobsAdminController(JobsService jobs) {
        this.jobs = jobs;
    }

    @GetMapping
    @Operation(summary = "Registered scheduled jobs with their cron schedule and last run on this instance")
    List<JobInfo> list() {
        return jobs.jobs();
    }

    @PostMapping("/{name}/run")
    @Operation(summary = "Run a job now, under the same cluster-wide lock and idempotency as its schedule",
            description = "executed=false when another run holds the lock; nothing ran.")
    JobRun run(@PathVariable String name) {
        return jobs.runNow(name);
    }
}
