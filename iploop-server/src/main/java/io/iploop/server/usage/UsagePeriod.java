package io.iploop.server.usage;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The periods usage analytics offer (seed 001 §5.4, §5.7 period selector; seed 000 §8.3
 * 7d/30d/90d/1y): the last {@link #days()} × 24 h up to now. Immutable.
 */
public enum UsagePeriod {
    LAST_7_DAYS(7, "7d"),
    LAST_30_DAYS(30, "30d"),
    LAST_90_DAYS(90, "90d"),
    LAST_YEAR(365, "1y");

    /** The period when the request names none (seed 001 §5.4: 30 days is the default). */
    public static final UsagePeriod DEFAULT = LAST_30_DAYS;

    private final int days;
    private final String code;

    UsagePeriod(int days, String code) {
        this.days = days;
        this.code = code;
    }

    /** Length in days of 24 h. */
    public int days() {
        return days;
    }

    /** The {@code period} parameter's spelling: {@code 7d}, {@code 30d}, {@code 90d} or {@code 1y}. */
    public String code() {
        return code;
    }

    /** Length as a duration. */
    public Duration duration() {
        return Duration.ofDays(days);
    }

    /**
     * The period named by the {@code days} or {@code period} request parameter, {@link #DEFAULT}
     * when neither is given.
     *
     * @throws UsageException {@code INVALID_PERIOD} naming the field at fault, also when both are
     *     given and disagree
     */
    public static UsagePeriod of(@Nullable Integer days, @Nullable String period) {
        UsagePeriod byDays = days == null ? null : ofDays(days);
        if (period == null) {
            return byDays == null ? DEFAULT : byDays;
        }
        for (UsagePeriod p : values()) {
            if (p.code.equalsIgnoreCase(period.strip())) {
                if (byDays != null && byDays != p) {
                    throw invalid("period", "period: " + period + " disagrees with days: " + days);
                }
                return p;
            }
        }
        throw invalid("period", "period: " + period + " (expected: 7d, 30d, 90d or 1y)");
    }

    /**
     * The period of {@code days} days.
     *
     * @throws UsageException {@code INVALID_PERIOD} (field {@code days}) unless days is 7, 30, 90 or 365
     */
    public static UsagePeriod ofDays(int days) {
        for (UsagePeriod p : values()) {
            if (p.days == days) {
                return p;
            }
        }
        throw invalid("days", "days: " + days + " (expected: 7, 30, 90 or 365)");
    }

    private static UsageException invalid(String field, String message) {
        return new UsageException(UsageException.Reason.INVALID_PERIOD, message, field);
    }
}
