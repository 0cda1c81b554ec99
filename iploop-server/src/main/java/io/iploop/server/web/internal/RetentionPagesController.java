package io.iploop.server.web.internal;

import io.iploop.server.jobs.JobsService;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.usage.UsageRetentionService;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /admin/retention} (docs/privacy.md#retention): the data-retention settings in force, for
 * admins with a 2FA session like every {@code /admin/**} page. Shows how long per-request usage
 * rows are kept (the live setting of {@link UsageRetentionService}, with who changed it last), the
 * schedule and last run on this instance of the {@code usage-retention} job, and the fixed rules
 * of docs/privacy.md; changing the days posts the form ({@code perRequestDays}, 1-3650; anything
 * else answers 400 with the field named and changes nothing; audited by the service). Stateless;
 * thread-safe.
 */
@Controller
final class RetentionPagesController {

    private static final String JOB = "usage-retention";

    private final UsageRetentionService retention;
    private final JobsService jobs;

    RetentionPagesController(UsageRetentionService retention, JobsService jobs) {
        this.retention = retention;
        this.jobs = jobs;
    }

    @GetMapping("/admin/retention")
    String page(@RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", "saved".equals(done) ? "Retention saved." : null);
        return render(model);
    }

    @PostMapping("/admin/retention")
    String update(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String perRequestDays,
            HttpServletResponse response, Model model) {
        int days;
        try {
            days = Integer.parseInt(perRequestDays.strip());
        } catch (NumberFormatException e) {
            return invalid(response, model);
        }
        try {
            retention.update(me.userId(), days);
        } catch (ApiException e) {
            return invalid(response, model);
        }
        return "redirect:/admin/retention?done=saved";
    }

    private String invalid(HttpServletResponse response, Model model) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("error", "perRequestDays: a whole number of days from " + UsageRetentionService.MIN_DAYS
                + " to " + UsageRetentionService.MAX_DAYS + "; nothing was changed.");
        return render(model);
    }

    private String render(Model model) {
        model.addAttribute("settings", retention.settings());
        model.addAttribute("minDays", UsageRetentionService.MIN_DAYS);
        model.addAttribute("maxDays", UsageRetentionService.MAX_DAYS);
        model.addAttribute("job", jobs.jobs().stream().filter(j -> j.name().equals(JOB)).findFirst().orElse(null));
        return "admin/retention";
    }
}
