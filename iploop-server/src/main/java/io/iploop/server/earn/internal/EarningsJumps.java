package io.iploop.server.earn.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.earn.ReviewFlag;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Flags earnings jumps for an admin (docs/earn-fraud.md): a device-period whose credits are at
 * least {@code iploop.earn.jump-min-credits} and more than {@code iploop.earn.jump-factor} times the
 * device's average over its previous {@code iploop.earn.jump-history-periods} periods, or an owner
 * whose credits of the last 24 h are at least the minimum and more than the factor times their
 * daily average over the 7 days before. No history counts as an average of 0, so a fresh account's
 * first large period is flagged too. An open flag keeps the owner's cash-outs from auto-approval
 * until an admin clears it. Runs in the crediting transaction; thread-safe.
 */
@Component
class EarningsJumps {

    private final EarnRepository repo;
    private final AuditService audit;
    private final BigDecimal factor;
    private final long minCredits;
    private final int historyPeriods;

    EarningsJumps(EarnRepository repo, AuditService audit,
            @Value("${iploop.earn.jump-factor:5}") BigDecimal factor,
            @Value("${iploop.earn.jump-min-credits:5000}") long minCredits,
            @Value("${iploop.earn.jump-history-periods:12}") int historyPeriods) {
        this.repo = repo;
        this.audit = audit;
        this.factor = factor;
        this.minCredits = minCredits;
        this.historyPeriods = historyPeriods;
    }

    /** Checks the device-period just credited ({@code credits} over the period ending {@code periodEnd}) and its owner. */
    void check(UUID owner, UUID node, long credits, Instant periodEnd) {
        BigDecimal deviceAvg = repo.trailingDeviceAverage(node, periodEnd, historyPeriods);
        if (jump(credits, deviceAvg) && !repo.hasOpenFlag(owner, node, "device")) {
            repo.insertFlag(UUID.randomUUID(), owner, node, "device", credits, deviceAvg, "device credited " + credits
                    + " in one period, trailing average " + deviceAvg.toPlainString() + " per period");
        }
        Instant dayAgo = periodEnd.minus(Duration.ofDays(1));
        long lastDay = repo.creditsBetween(owner, dayAgo, periodEnd);
        BigDecimal dailyAvg = BigDecimal.valueOf(repo.creditsBetween(owner, dayAgo.minus(Duration.ofDays(7)), dayAgo))
                .divide(BigDecimal.valueOf(7), 3, java.math.RoundingMode.HALF_UP);
        if (jump(lastDay, dailyAvg) && !repo.hasOpenFlag(owner, null, "owner")) {
            repo.insertFlag(UUID.randomUUID(), owner, null, "owner", lastDay, dailyAvg, "owner credited " + lastDay
                    + " in 24 h, trailing average " + dailyAvg.toPlainString() + " per day");
        }
    }

    private boolean jump(long credits, BigDecimal average) {
        return credits >= minCredits && BigDecimal.valueOf(credits).compareTo(average.multiply(factor)) > 0;
    }

    List<ReviewFlag> open(UUID userId) {
        return repo.openFlags(userId);
    }

    List<ReviewFlag> openDeviceFlags(int limit) {
        return repo.openDeviceFlags(limit);
    }

    /** Clears the user's open flags, audited ({@link AuditAction#EARN_REVIEW_CLEARED}) per flag. */
    List<ReviewFlag> clear(UUID adminId, UUID userId, @Nullable String note) {
        List<ReviewFlag> cleared = repo.clearFlags(userId, adminId, note);
        for (ReviewFlag f : cleared) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("userId", userId.toString());
            details.put("scope", f.scope());
            details.put("reason", f.reason());
            if (note != null) {
                details.put("note", note);
            }
            audit.record(new AuditEvent(adminId, AuditAction.EARN_REVIEW_CLEARED, "earn_review_flag", f.id().toString(),
                    details));
        }
        return cleared;
    }
}
