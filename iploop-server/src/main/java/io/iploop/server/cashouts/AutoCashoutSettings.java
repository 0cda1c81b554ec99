package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A user's auto-cash-out (docs/product/cashouts.md {@code auto_cashout_config}). Immutable.
 *
 * @param thresholdUsd the daily job cashes out the whole available balance once it reaches this
 * @param paymentMethodId a saved, verified payment method of the user; required when enabled
 * @param lastAutoCashoutAt when the job last created a cash-out, or null
 */
public record AutoCashoutSettings(boolean enabled, BigDecimal thresholdUsd, @Nullable UUID paymentMethodId,
        @Nullable Instant lastAutoCashoutAt) {}
