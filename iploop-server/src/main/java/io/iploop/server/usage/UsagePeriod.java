package io.iploop.server.usage;

import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The period an analytics query covers: the last {@code days} × 24 h up to now. The dashboard
 * offers 7, 30, 90 days and 1 year (docs/product/usage.md#analytics), also spelled
 * {@code period=7d|30d|90d|1y}; {@code days} accepts any 1-{@link UsageService#MAX_DAYS}, as
 * the summary always did. A period may be narrowed to one sub-user's records (the {@code sub_user}
 * request parameter, docs/sub-users.md#usage). Immutable.
 *
 * @param days length in days of 24 h, 1-{@link UsageService#MAX_DAYS}
 * @param subUserId only the records of this sub-user of the account, or null for all the account's
 */
public record UsagePeriod(int days, @Nullable UUID subUserId) {

    public static final UsagePeriod LAST_7_DAYS = new UsagePeriod(7);
    public static final UsagePeriod LAST_30_DAYS = new UsagePeriod(30);
    public static final UsagePeriod LAST_90_DAYS = new UsagePeriod(90);
    public static final UsagePeriod LAST_YEAR = new UsagePeriod(365);

    /** The period when the request names none (docs/product/usage.md#analytics: 30 days is the default). */
    public static final UsagePeriod DEFAULT = LAST_30_DAYS;

    /** @throws UsageException {@code INVALID_PERIOD} (field {@code days}) unless 1 ≤ days ≤ {@link UsageService#MAX_DAYS} */
    public UsagePeriod {
        if (days < 1 || days > UsageService.MAX_DAYS) {
            throw invalid("days", "days: " + days + " (expected: 1-" + UsageService.MAX_DAYS + ", usually 7, 30, 90 or 365)");
        }
    }

    /** The last {@code days} days, all the account's records. */
    public UsagePeriod(int days) {
        this(days, null);
    }

    /** This period narrowed to sub-user {@code subUserId} (null: all records). */
    public UsagePeriod withSubUser(@Nullable UUID subUserId) {
        return new UsagePeriod(days, subUserId);
    }

    /** Length as a duration. */
    public Duration duration() {
        return Duration.ofDays(days);
    }

    /** The {@code period} spelling: {@code 1y} for 365 days, else {@code <days>d} ({@code 30d}). */
    public String code() {
        return days == 365 ? "1y" : days + "d";
    }

    /**
     * The period named by the {@code days} or {@code period} request parameter, {@link #DEFAULT}
     * when neither is given.
     *
     * @throws UsageException {@code INVALID_PERIOD} naming the field at fault, also when both are
     *     given and disagree
     */
    public static UsagePeriod of(@Nullable Integer days, @Nullable String period) {
        @Nullable UsagePeriod byDays = days == null ? null : new UsagePeriod(days);
        if (period == null) {
            return byDays == null ? DEFAULT : byDays;
        }
        for (UsagePeriod p : new UsagePeriod[] {LAST_7_DAYS, LAST_30_DAYS, LAST_90_DAYS, LAST_YEAR}) {
            if (p.code().equalsIgnoreCase(period.strip())) {
                if (byDays != null && !byDays.equals(p)) {
                    throw invalid("period", "period: " + period + " disagrees with days: " + days);
                }
                return p;
            }
        }
        throw invalid("period", "period: " + period + " (expected: 7d, 30d, 90d or 1y)");
    }

    private static UsageException invalid(String field, String message) {
        return new UsageException(UsageException.Reason.INVALID_PERIOD, message, field);
    }
}
