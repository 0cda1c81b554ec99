package io.iploop.server.earn.internal;

import io.iploop.server.earn.DeviceEarning;
import io.iploop.server.earn.EarnBalance;
import io.iploop.server.earn.EarnDevice;
import io.iploop.server.earn.EarnException;
import io.iploop.server.earn.EarnService;
import io.iploop.server.earn.EarnStats;
import io.iploop.server.earn.MultiplierBreakdown;
import io.iploop.server.earn.ReferralCode;
import io.iploop.server.earn.ReferralStats;
import io.iploop.server.earn.ReferredUser;
import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.nodes.DeviceRegistration;
import io.iploop.server.nodes.NodesException;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.earn.TrafficReconciliation;
import io.iploop.server.nodes.AgentTrafficReport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/earn} (docs/product/earn.md#credit-calculation, #referrals): the node operator's devices, balance, history, stats,
 * multipliers, earnings export and referrals, all scoped to the caller. {@code POST
 * /api/earn/devices/register} is the agent's, authenticated by its node key in {@code X-Node-Key}
 * instead of a user token. Credits are whole numbers, 1 credit = USD 0.001; GB = 10^9 bytes.
 */
@RestController
@RequestMapping("/api/earn")
@Tag(name = "earn", description = "Node operators: devices, credits, referrals (GB = 10^9 bytes, 1 credit = USD 0.001)")
class EarnController {

    /** The header a node agent sends its node key in. */
    static final String NODE_KEY_HEADER = "X-Node-Key";

    private final EarnService earn;

    EarnController(EarnService earn) {
        this.earn = earn;
    }

    record RegisterRequest(@NotBlank String deviceId, @Nullable String deviceName, @NotBlank String installMethod,
            @Nullable String nodeVersion) {}

    @PostMapping("/devices/register")
    @Operation(summary = "Called by the node agent on start: registers the device (name, install method, version)",
            description = "Authenticated by the node key in the X-Node-Key header. installMethod: docker, linux, "
                    + "windows, macos or android.")
    EarnDevice register(@RequestHeader(name = NODE_KEY_HEADER, required = false) @Nullable String nodeKey,
            @Valid @RequestBody RegisterRequest r) {
        if (nodeKey == null || nodeKey.isBlank()) {
            throw new NodesException(NodesException.Reason.INVALID_NODE_KEY, "missing " + NODE_KEY_HEADER + " header", null);
        }
        return earn.registerDevice(nodeKey.strip(),
                new DeviceRegistration(r.deviceId(), r.deviceName(), r.installMethod(), r.nodeVersion()));
    }

    @GetMapping("/devices")
    @Operation(summary = "The caller's devices with status, uptime, bytes and credits today and in total")
    List<EarnDevice> devices(@AuthenticationPrincipal AuthenticatedUser caller) {
        return earn.devices(caller.userId());
    }

    @PostMapping("/devices/{id}/pause")
    @Operation(summary = "Pause sharing: the device gets no new proxy traffic within 5 s")
    EarnDevice pause(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return earn.setPaused(caller.userId(), id, true);
    }

    @PostMapping("/devices/{id}/resume")
    @Operation(summary = "Resume sharing")
    EarnDevice resume(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return earn.setPaused(caller.userId(), id, false);
    }

    record RenameRequest(@NotBlank String name) {}

    @PatchMapping("/devices/{id}")
    @Operation(summary = "Rename a device (1-100 characters)")
    EarnDevice rename(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @Valid @RequestBody RenameRequest r) {
        return earn.rename(caller.userId(), id, r.name());
    }

    @DeleteMapping("/devices/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove a device from the list (it is paused; registering it again brings it back)")
    void remove(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        earn.remove(caller.userId(), id);
    }

    @GetMapping("/devices/{id}/traffic")
    @Operation(summary = "Destination hosts and ports the device carried per UTC day, with bytes up/down, streams and "
            + "customers (a count) and the customers' declared categories (never identities)",
            description = "from, to: YYYY-MM-DD, both included, at most 31 days (default: the last 7 days). One row per "
                    + "host and port (port null for records from before ports were recorded: docs/operator-transparency.md). "
                    + "Host names only: paths and contents are never recorded; customers are never identified. categories: the "
                    + "sorted distinct use cases the row's customers declared, undeclared for those without one.")
    List<io.iploop.server.earn.DeviceTraffic> traffic(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @RequestParam(required = false) @Nullable String from, @RequestParam(required = false) @Nullable String to) {
        return earn.traffic(caller.userId(), id, from, to);
    }

    @GetMapping("/devices/{id}/reconciliation")
    @Operation(summary = "Per UTC day: metered bytes (earning), bytes the gateway relayed to the device's agent, "
            + "bytes the agent reported, and the difference agent - gateway",
            description = "from, to as for /traffic. Agent-reported bytes are untrusted and never earn credits "
                    + "(docs/operator-transparency.md).")
    List<TrafficReconciliation> reconciliation(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @RequestParam(required = false) @Nullable String from, @RequestParam(required = false) @Nullable String to) {
        return earn.reconciliation(caller.userId(), id, from, to);
    }

    /** An agent's byte report; {@code day} is YYYY-MM-DD (UTC). */
    record TrafficReportRequest(@Nullable String deviceId, @Nullable String runId, @Nullable String day,
            @Nullable Long bytes) {}

    @PostMapping("/devices/traffic-report")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Called by the node agent: its own count of the bytes its device carried on one UTC day",
            description = "Authenticated by the node key in the X-Node-Key header. Untrusted: validated, shown to the "
                    + "operator next to the gateway's count, never credited (docs/operator-transparency.md).")
    void trafficReport(@RequestHeader(name = NODE_KEY_HEADER, required = false) @Nullable String nodeKey,
            @RequestBody TrafficReportRequest r) {
        if (nodeKey == null || nodeKey.isBlank()) {
            throw new NodesException(NodesException.Reason.INVALID_NODE_KEY, "missing " + NODE_KEY_HEADER + " header", null);
        }
        UUID runId;
        try {
            runId = r.runId() == null ? null : UUID.fromString(r.runId());
        } catch (IllegalArgumentException e) {
            throw reportError("runId", "runId: '" + r.runId() + "' (expected: a UUID)");
        }
        java.time.LocalDate day;
        try {
            day = r.day() == null ? null : java.time.LocalDate.parse(r.day());
        } catch (java.time.format.DateTimeParseException e) {
            throw reportError("day", "day: '" + r.day() + "' (expected: YYYY-MM-DD)");
        }
        if (r.bytes() == null) {
            throw reportError("bytes", "bytes: required (a whole number of bytes)");
        }
        earn.reportAgentTraffic(nodeKey.strip(), new AgentTrafficReport(r.deviceId(), runId, day, r.bytes()));
    }

    private static NodesException reportError(String field, String message) {
        return new NodesException(NodesException.Reason.INVALID_TRAFFIC_REPORT, message, field);
    }

    @GetMapping("/balance")
    @Operation(summary = "Balance in credits and USD, today/week/month, tier progress, active multipliers")
    EarnBalance balance(@AuthenticationPrincipal AuthenticatedUser caller) {
        return earn.balance(caller.userId());
    }

    @GetMapping("/history")
    @Operation(summary = "The caller's credit ledger lines, newest first (page from 1, limit 1-100)")
    LedgerPage history(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int limit) {
        return earn.history(caller.userId(), page, limit);
    }

    @GetMapping("/stats")
    @Operation(summary = "Daily bytes and credits: period=7d|30d|90d|1y (UTC days)")
    EarnStats stats(@AuthenticationPrincipal AuthenticatedUser caller, @RequestParam(defaultValue = "7d") String period) {
        return earn.stats(caller.userId(), period);
    }

    @GetMapping("/multipliers")
    @Operation(summary = "Active multipliers: multi-device, uptime, geography per device, and totals")
    MultiplierBreakdown multipliers(@AuthenticationPrincipal AuthenticatedUser caller) {
        return earn.multipliers(caller.userId());
    }

    @GetMapping("/earnings")
    @Operation(summary = "Per device-period earnings (date, device, GB shared, base credits, multiplier, total)",
            description = "format=json (default) or csv; limit 1-100000, newest first.")
    ResponseEntity<?> earnings(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "json") String format, @RequestParam(defaultValue = "1000") int limit) {
        List<DeviceEarning> rows = earn.earnings(caller.userId(), limit);
        return switch (format) {
            case "json" -> ResponseEntity.ok(rows);
            case "csv" -> ResponseEntity.ok()
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"earnings.csv\"")
                    .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                    .body(EarnCsv.write(rows));
            default -> throw new EarnException(EarnException.Reason.INVALID_PARAMETER,
                    "format: '" + format + "' (expected: json or csv)", "format");
        };
    }

    @GetMapping("/referral/code")
    @Operation(summary = "The caller's referral code and sign-up link")
    ReferralCode referralCode(@AuthenticationPrincipal AuthenticatedUser caller) {
        return earn.referralCode(caller.userId());
    }

    @GetMapping("/referral/stats")
    @Operation(summary = "Referred users, their earnings and the caller's 10 % commission")
    ReferralStats referralStats(@AuthenticationPrincipal AuthenticatedUser caller) {
        return earn.referralStats(caller.userId());
    }

    @GetMapping("/referral/list")
    @Operation(summary = "Users who signed up with the caller's code (masked), newest first")
    List<ReferredUser> referrals(@AuthenticationPrincipal AuthenticatedUser caller) {
        return earn.referrals(caller.userId());
    }
}
