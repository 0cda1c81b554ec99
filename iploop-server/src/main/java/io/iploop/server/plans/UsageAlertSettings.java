package io.iploop.server.plans;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/**
 * Which usage alerts an account gets (docs/plans-and-alerts.md#usage-alerts): at 80 % and at 100 % of
 * the GB available in the current period, and optionally at a custom percentage. Each fires at most
 * once per period, in the dashboard and by e-mail (the e-mail only while the account's "low balance"
 * notification preference is on). Immutable.
 *
 * @param customPercent a further threshold, 1-100 %, or null for none
 */
public record UsageAlertSettings(boolean at80, boolean at100, @Min(1) @Max(100) @Nullable Integer customPercent) {

    /** The defaults of an account that never saved its settings: 80 % and 100 %, no custom threshold. */
    public static final UsageAlertSettings DEFAULTS = new UsageAlertSettings(true, true, null);
}
