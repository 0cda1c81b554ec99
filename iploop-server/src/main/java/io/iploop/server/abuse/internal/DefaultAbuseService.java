package io.iploop.server.abuse.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.iploop.server.abuse.AbuseException;
import io.iploop.server.abuse.AbuseReport;
import io.iploop.server.abuse.AbuseService;
import io.iploop.server.abuse.NewAbuseReport;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.nodes.NewNodeModeration;
import io.iploop.server.nodes.NodeModerationService;
import io.iploop.server.platform.EmailAddress;
import io.iploop.server.usage.TargetTraffic;
import io.iploop.server.usage.UsageService;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link AbuseService}: validation, a per-address token bucket, global bounds on the intake (reports
 * per hour from all addresses, open reports in the queue: {@link AbuseSettings}), the queue and its
 * resolution. Thread-safe; the global bounds hold across instances (checked under a database lock).
 */
@Service
class DefaultAbuseService implements AbuseService {

    static final Duration MAX_WINDOW = Duration.ofDays(7);
    static final int MAX_FILED_SINCE = 10_000;
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){0,126}[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    private final AbuseReportRepository reports;
    private final UsageService usage;
    private final NodeModerationService moderation;
    private final AuditService audit;
    private final AbuseSettings settings;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofHours(2)).maximumSize(100_000).build();

    DefaultAbuseService(AbuseReportRepository reports, UsageService usage, NodeModerationService moderation,
            AuditService audit, AbuseSettings settings) {
        this.reports = reports;
        this.settings = settings;
        this.usage = usage;
        this.moderation = moderation;
        this.audit = audit;
    }

    @Override
    @Transactional
    public AbuseReport submit(NewAbuseReport r, String clientIp) {
        String email = r.reporterEmail() == null ? "" : r.reporterEmail().strip();
        if (!EmailAddress.isValid(email)) {
            throw invalid("reporterEmail", "reporterEmail: a valid e-mail address, at most 254 characters");
        }
        String target = target(r.target());
        Instant now = Instant.now();
        if (r.from() == null || r.to() == null) {
            throw invalid(r.from() == null ? "from" : "to", (r.from() == null ? "from" : "to")
                    + ": missing (an ISO-8601 instant such as 2026-12-03T10:00:00Z)");
        }
        if (r.from().isAfter(now)) {
            throw invalid("from", "from: " + r.from() + " (expected: not in the future)");
        }
        if (!r.to().isAfter(r.from()) || Duration.between(r.from(), r.to()).compareTo(MAX_WINDOW) > 0) {
            throw invalid("to", "to: " + r.to() + " (expected: after from and at most 7 days later)");
        }
        String description = r.description() == null ? "" : r.description().strip();
        if (description.length() < 10 || description.length() > 5000) {
            throw invalid("description", "description: 10-5000 characters");
        }
        String ip = ipLiteral(clientIp);
        // The global bounds first, under a lock held to the commit: a refusal spends no address token,
        // and concurrent reports on any instance cannot overshoot them.
        reports.lockIntake();
        checkGlobalBounds(now);
        Bucket bucket = buckets.get(ip == null ? clientIp : ip, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(REPORTS_PER_HOUR).refillGreedy(REPORTS_PER_HOUR, Duration.ofHours(1))
                        .build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw new AbuseException(AbuseException.Reason.TOO_MANY_REPORTS,
                    "at most " + REPORTS_PER_HOUR + " reports per hour from one address; try again later", null,
                    Duration.ofNanos(probe.getNanosToWaitForRefill()));
        }
        return reports.insert(email, target, r.from(), r.to(), description, ip);
    }

    /** Refuses a report while the queue is full or the intake took its hourly share from all addresses. */
    private void checkGlobalBounds(Instant now) {
        AbuseReportRepository.IntakeLoad load = reports.intakeLoad();
        if (load.open() >= settings.maxOpenReports()) {
            throw new AbuseException(AbuseException.Reason.QUEUE_FULL, "the abuse queue is full ("
                    + settings.maxOpenReports() + " open reports); try again later or write to the operator's "
                    + "abuse contact", null, Duration.ofHours(1));
        }
        if (load.lastHour() >= settings.reportsPerHour()) {
            Instant oldest = load.oldestInLastHour();
            Duration wait = oldest == null ? Duration.ofMinutes(1) : Duration.between(now, oldest.plus(Duration.ofHours(1)));
            throw new AbuseException(AbuseException.Reason.INTAKE_RATE_LIMITED, "the abuse intake takes at most "
                    + settings.reportsPerHour() + " reports an hour from everyone together; try again later", null,
                    wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait);
        }
    }

    @Override
    public List<AbuseReport> list(boolean openOnly) {
        return reports.list(openOnly, 200);
    }

    @Override
    public List<AbuseReport> filedSince(Instant since) {
        return reports.filedSince(since, MAX_FILED_SINCE);
    }

    @Override
    public AbuseReport report(UUID id) {
        return reports.find(id).orElseThrow(() -> new AbuseException(AbuseException.Reason.REPORT_NOT_FOUND,
                "no abuse report " + id, "id"));
    }

    @Override
    public List<TargetTraffic> traffic(UUID id) {
        AbuseReport r = report(id);
        return usage.trafficTo(r.target(), r.from(), r.to());
    }

    @Override
    @Transactional
    public AbuseReport resolve(UUID adminId, UUID id, String note, boolean quarantine) {
        AbuseReport r = report(id);
        if (!"open".equals(r.status())) {
            throw new AbuseException(AbuseException.Reason.ALREADY_RESOLVED, "abuse report " + id + " is already resolved",
                    "id");
        }
        String n = note.strip();
        if (n.isEmpty() || n.length() > 1000) {
            throw invalid("note", "note: 1-1000 characters");
        }
        Set<UUID> nodes = new LinkedHashSet<>();
        if (quarantine) {
            for (TargetTraffic t : usage.trafficTo(r.target(), r.from(), r.to())) {
                if (t.nodeId() != null) {
                    nodes.add(t.nodeId());
                }
            }
            for (UUID node : nodes) {
                moderation.moderate(adminId, new NewNodeModeration("quarantine", "node", node.toString(),
                        "abuse report " + id + ": traffic to " + r.target(), null));
            }
        }
        AbuseReport resolved = reports.resolve(id, adminId, n, nodes.size()).orElseThrow(() -> new AbuseException(
                AbuseException.Reason.ALREADY_RESOLVED, "abuse report " + id + " is already resolved", "id"));
        audit.record(new AuditEvent(adminId, AuditAction.ABUSE_REPORT_RESOLVED, "abuse_report", id.toString(),
                Map.of("target", r.target(), "quarantinedNodes", Integer.toString(nodes.size()), "note", n)));
        return resolved;
    }

    /** A host name (RFC 1123 labels) in lower case, or an IP literal in its canonical form. */
    private static String target(@Nullable String raw) {
        String t = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (!t.isEmpty() && t.length() <= 253 && HOST.matcher(t).matches() && !t.matches("[0-9.]+")) {
            return t;
        }
        String ip = t.matches("[0-9a-f:.]{2,45}") ? ipLiteral(t) : null;
        if (ip == null) {
            throw invalid("target", "target: '" + raw + "' (expected: a host name such as example.com or an IP address)");
        }
        return ip;
    }

    private static @Nullable String ipLiteral(String s) {
        try {
            return InetAddress.ofLiteral(s.strip()).getHostAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static AbuseException invalid(String field, String message) {
        return new AbuseException(AbuseException.Reason.INVALID_REPORT, message, field);
    }
}
