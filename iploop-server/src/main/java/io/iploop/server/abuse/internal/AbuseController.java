package io.iploop.server.abuse.internal;

import io.iploop.server.abuse.AbuseReport;
import io.iploop.server.abuse.AbuseService;
import io.iploop.server.abuse.NewAbuseReport;
import io.iploop.server.usage.TargetTraffic;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The public abuse intake {@code POST /api/abuse} (no sign-in; rate limited per client address) and
 * the admin queue under {@code /api/admin/abuse} (admin with 2FA, SecurityConfig); see
 * docs/moderation.md#abuse-reports.
 */
@RestController
@Tag(name = "abuse", description = "Abuse reports")
class AbuseController {

    private final AbuseService abuse;

    AbuseController(AbuseService abuse) {
        this.abuse = abuse;
    }

    @PostMapping("/api/abuse")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Report abusive traffic from the network (public): reporter e-mail, target host or IP, "
            + "time window (at most 7 days) and a description")
    Receipt submit(@RequestBody NewAbuseReport report, HttpServletRequest request) {
        AbuseReport saved = abuse.submit(report, request.getRemoteAddr());
        return new Receipt(saved.id(), saved.status(), saved.createdAt());
    }

    @GetMapping("/api/admin/abuse")
    @Operation(summary = "Abuse reports, newest first; open=true for the queue")
    ReportsResponse list(@RequestParam(defaultValue = "false") boolean open) {
        return new ReportsResponse(abuse.list(open));
    }

    @GetMapping("/api/admin/abuse/{id}")
    @Operation(summary = "One report with the customers and exit nodes that reached its target in its window")
    ReportDetail report(@PathVariable UUID id) {
        return new ReportDetail(abuse.report(id), abuse.traffic(id));
    }

    @PostMapping("/api/admin/abuse/{id}/resolve")
    @Operation(summary = "Resolve a report with a note; quarantine=true quarantines every node that carried the traffic")
    AbuseReport resolve(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody Resolution resolution) {
        return abuse.resolve(admin.userId(), id, resolution.note() == null ? "" : resolution.note(),
                Boolean.TRUE.equals(resolution.quarantine()));
    }

    /** What the reporter gets back: never anything about customers or nodes. */
    record Receipt(UUID id, String status, Instant createdAt) {}

    record ReportsResponse(List<AbuseReport> reports) {}

    record ReportDetail(AbuseReport report, List<TargetTraffic> traffic) {}

    record Resolution(@Nullable String note, @Nullable Boolean quarantine) {}
}
