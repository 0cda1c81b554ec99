package io.iploop.server.autoban.internal;

import io.iploop.server.abuse.AbuseReport;
import io.iploop.server.abuse.AbuseService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.autoban.AutoBanException;
import io.iploop.server.autoban.AutoBanRules;
import io.iploop.server.autoban.AutoBanRulesUpdate;
import io.iploop.server.autoban.AutoBanRun;
import io.iploop.server.autoban.AutoBanService;
import io.iploop.server.earn.EarnService;
import io.iploop.server.earn.ReviewFlag;
import io.iploop.server.nodes.NewNodeModeration;
import io.iploop.server.nodes.NodeModeration;
import io.iploop.server.nodes.NodeModerationService;
import io.iploop.server.nodes.NodeQualityReading;
import io.iploop.server.usage.TargetTraffic;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link AutoBanService}: the three rules of docs/moderation.md#auto-ban-rules over the nodes,
 * abuse and earn features' public services. Every quarantine goes through
 * {@link NodeModerationService#moderateByRule}, so it reaches the gateway, the owner's node list and
 * the audit log exactly like an admin's. Thread-safe; the {@code auto-ban} job's lock keeps two
 * evaluations from overlapping, and {@code autoban_actions} keeps even overlapping ones from acting twice.
 */
@Service
class DefaultAutoBanService implements AutoBanService {

    private static final Logger log = LoggerFactory.getLogger(DefaultAutoBanService.class);
    private static final int MAX_REASON = 500;

    private final AutoBanRepository repo;
    private final NodeModerationService moderation;
    private final AbuseService abuse;
    private final EarnService earn;
    private final AuditService audit;
    private final TransactionTemplate tx;

    DefaultAutoBanService(AutoBanRepository repo, NodeModerationService moderation, AbuseService abuse,
            EarnService earn, AuditService audit, TransactionTemplate tx) {
        this.repo = repo;
        this.moderation = moderation;
        this.abuse = abuse;
        this.earn = earn;
        this.audit = audit;
        this.tx = tx;
    }

    @Override
    public AutoBanRules rules() {
        return repo.rules().orElse(AutoBanRules.DEFAULTS);
    }

    @Override
    @Transactional
    public AutoBanRules update(UUID adminId, AutoBanRulesUpdate u) {
        AutoBanRules c = rules();
        AutoBanRules r = new AutoBanRules(
                or(u.qualityEnabled(), c.qualityEnabled()),
                range("qualityBelow", u.qualityBelow(), c.qualityBelow(), 1, 100),
                range("qualityForMinutes", u.qualityForMinutes(), c.qualityForMinutes(), 1, 10_080),
                range("qualityMinStreams", u.qualityMinStreams(), c.qualityMinStreams(), 1, 1_000_000),
                range("qualityExpiryHours", u.qualityExpiryHours(), c.qualityExpiryHours(), 1, 8760),
                or(u.abuseEnabled(), c.abuseEnabled()),
                range("abuseReports", u.abuseReports(), c.abuseReports(), 1, 1000),
                range("abuseWindowHours", u.abuseWindowHours(), c.abuseWindowHours(), 1, 720),
                range("abuseExpiryHours", u.abuseExpiryHours(), c.abuseExpiryHours(), 0, 8760),
                or(u.fraudEnabled(), c.fraudEnabled()),
                range("fraudExpiryHours", u.fraudExpiryHours(), c.fraudExpiryHours(), 0, 8760));
        repo.saveRules(r, adminId);
        Map<String, String> details = new LinkedHashMap<>();
        for (var component : AutoBanRules.class.getRecordComponents()) {
            try {
                details.put(component.getName(), String.valueOf(component.getAccessor().invoke(r)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        audit.record(new AuditEvent(adminId, AuditAction.AUTO_BAN_RULES_CHANGED, "auto_ban_rules", "1", details));
        return r;
    }

    @Override
    public AutoBanRun evaluate(Instant evaluatedAt) {
        // PostgreSQL keeps microseconds and rounds: a streak stored from a finer instant could start
        // up to half a microsecond later than it did, and an hour would then time as 59:59.
        Instant now = evaluatedAt.truncatedTo(ChronoUnit.MICROS);
        AutoBanRules rules = rules();
        // Nodes under any moderation in force are left alone, and one run quarantines a node once.
        Set<UUID> moderated = new HashSet<>(moderation.moderatedNodeIds());
        List<NodeModeration> done = new ArrayList<>();
        int watched = rules.qualityEnabled() ? quality(rules, now, moderated, done) : stopWatching();
        if (rules.abuseEnabled()) {
            abuseReports(rules, now, moderated, done);
        }
        if (rules.fraudEnabled()) {
            earningsAnomalies(rules, now, moderated, done);
        }
        AutoBanRun run = new AutoBanRun(done, watched);
        if (!done.isEmpty()) {
            log.info("auto-ban: {}", run.summary());
        }
        return run;
    }

    private int stopWatching() {
        repo.endAllWatches();
        return 0;
    }

    /**
     * Rule {@code quality}: a connected node whose stored score (the gateway's, docs/exit-quality.md)
     * was below the threshold at every evaluation for the duration, over at least the minimum streams
     * carried meanwhile. The timer restarts whenever the score is seen at or above the threshold, and
     * while the node is under a moderation (a quarantined node carries no streams to be measured by).
     * A node not connected keeps its timer untouched: its score does not change offline.
     *
     * @return the nodes being timed after this run
     */
    private int quality(AutoBanRules rules, Instant now, Set<UUID> moderated, List<NodeModeration> done) {
        Map<UUID, AutoBanRepository.Watch> watches = repo.watches();
        int watched = watches.size();
        for (NodeQualityReading r : moderation.connectedNodeQuality()) {
            AutoBanRepository.Watch w = watches.get(r.nodeId());
            if (moderated.contains(r.nodeId()) || r.quality() >= rules.qualityBelow()) {
                if (w != null) {
                    repo.endWatch(r.nodeId());
                    watched--;
                }
                continue;
            }
            if (w == null) {
                repo.startWatch(r.nodeId(), now, r.streams(), r.quality());
                watched++;
                continue;
            }
            repo.updateWatch(r.nodeId(), r.quality());
            Duration poorFor = Duration.between(w.lowSince(), now);
            long streams = r.streams() - w.streamsAtStart();
            if (poorFor.toMinutes() < rules.qualityForMinutes() || streams < rules.qualityMinStreams()) {
                continue;
            }
            String reason = "auto-ban rule " + QUALITY + ": quality score below " + rules.qualityBelow() + " for "
                    + poorFor.toMinutes() + " min (now " + r.quality() + ", between " + Math.min(w.lowestQuality(),
                    r.quality()) + " and " + Math.max(w.highestQuality(), r.quality()) + ") over " + streams + " streams";
            NodeModeration m = act(QUALITY, r.nodeId(), "low-since:" + w.lowSince().toEpochMilli(), reason,
                    now.plus(Duration.ofHours(rules.qualityExpiryHours())), moderated);
            repo.endWatch(r.nodeId());
            watched--;
            if (m != null) {
                done.add(m);
            }
        }
        return watched;
    }

    /**
     * Rule {@code abuse-reports}: a node that carried traffic to the target of at least the configured
     * number of reports filed within the window (usage records to the target inside the report's own
     * time window, docs/moderation.md#abuse-reports) that are open or confirmed (resolved with a
     * quarantine). A report an admin resolved without a quarantine was dismissed and does not count.
     * The evidence is the newest counted report, so only a newer report acts again.
     */
    private void abuseReports(AutoBanRules rules, Instant now, Set<UUID> moderated, List<NodeModeration> done) {
        Map<UUID, List<AbuseReport>> byNode = new LinkedHashMap<>();
        for (AbuseReport report : abuse.filedSince(now.minus(Duration.ofHours(rules.abuseWindowHours())))) {
            boolean counts = "open".equals(report.status()) || report.quarantinedNodes() > 0;
            if (!counts) {
                continue;
            }
            Set<UUID> nodes = new HashSet<>();
            for (TargetTraffic t : abuse.traffic(report.id())) {
                if (t.nodeId() != null && nodes.add(t.nodeId())) {
                    byNode.computeIfAbsent(t.nodeId(), k -> new ArrayList<>()).add(report);
                }
            }
        }
        for (Map.Entry<UUID, List<AbuseReport>> e : byNode.entrySet()) {
            List<AbuseReport> reports = e.getValue();
            if (reports.size() < rules.abuseReports() || moderated.contains(e.getKey())) {
                continue;
            }
            AbuseReport newest = reports.getLast();
            Set<String> targets = new TreeSet<>();
            reports.forEach(r -> targets.add(r.target()));
            String reason = "auto-ban rule " + ABUSE + ": " + reports.size() + " open or confirmed abuse reports in "
                    + rules.abuseWindowHours() + " h (at least " + rules.abuseReports() + "; newest " + newest.id()
                    + "), targets " + String.join(", ", targets) + "; pending review";
            NodeModeration m = act(ABUSE, e.getKey(), "report:" + newest.id(), reason,
                    rules.abuseExpiryHours() == 0 ? null : now.plus(Duration.ofHours(rules.abuseExpiryHours())), moderated);
            if (m != null) {
                done.add(m);
            }
        }
    }

    /**
     * Rule {@code earnings-anomaly}: a device with an open device-scope earnings review flag
     * (docs/earn-fraud.md#3-earnings-jumps-need-an-admin). The evidence is the newest open flag.
     */
    private void earningsAnomalies(AutoBanRules rules, Instant now, Set<UUID> moderated, List<NodeModeration> done) {
        Map<UUID, ReviewFlag> newest = new LinkedHashMap<>();
        for (ReviewFlag f : earn.openDeviceReviewFlags()) {
            if (f.nodeId() != null) {
                newest.put(f.nodeId(), f);
            }
        }
        for (ReviewFlag f : newest.values()) {
            UUID nodeId = Objects.requireNonNull(f.nodeId());
            if (moderated.contains(nodeId)) {
                continue;
            }
            String reason = "auto-ban rule " + FRAUD + ": earnings review flag " + f.id() + ", " + f.periodCredits()
                    + " credits in one period against a trailing average of "
                    + f.trailingAverage().setScale(0, RoundingMode.HALF_UP).toPlainString()
                    + "; pending review";
            NodeModeration m = act(FRAUD, nodeId, "flag:" + f.id(), reason,
                    rules.fraudExpiryHours() == 0 ? null : now.plus(Duration.ofHours(rules.fraudExpiryHours())), moderated);
            if (m != null) {
                done.add(m);
            }
        }
    }

    /**
     * Quarantines {@code nodeId} by {@code rule} unless this evidence already did, in one transaction
     * with the claim. Marks the node moderated for the rest of the run.
     *
     * @return the quarantine, or null when the evidence was acted on before or the node could not be moderated
     */
    private @Nullable NodeModeration act(String rule, UUID nodeId, String evidence, String reason,
            @Nullable Instant expiresAt, Set<UUID> moderated) {
        moderated.add(nodeId);
        String shown = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
        try {
            return tx.execute(status -> {
                if (!repo.claim(rule, nodeId, evidence)) {
                    return null;
                }
                NodeModeration m = moderation.moderateByRule(rule,
                        new NewNodeModeration("quarantine", "node", nodeId.toString(), shown, expiresAt));
                repo.recordModeration(rule, nodeId, evidence, m.id());
                return m;
            });
        } catch (RuntimeException e) {
            // One node's failure (a node row gone, say) must not stop the others; the next run retries it.
            log.warn("auto-ban: rule {} could not quarantine node {}", rule, nodeId, e);
            return null;
        }
    }

    private static boolean or(@Nullable Boolean value, boolean current) {
        return value == null ? current : value;
    }

    private static int range(String field, @Nullable Integer value, int current, int min, int max) {
        if (value == null) {
            return current;
        }
        if (value < min || value > max) {
            throw new AutoBanException(AutoBanException.Reason.INVALID_RULES,
                    field + ": " + value + " (expected: " + min + "-" + max + ")", field);
        }
        return value;
    }
}
