package io.iploop.server.billing;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * Auto top-up of the prepaid credits (docs/billing.md#auto-top-up): when the balance falls under
 * {@code thresholdUsd}, an invoice for {@code packageId} is created (with the manual provider an open
 * invoice and an e-mail; with a card provider an off-session charge, {@link OffSessionPayments}),
 * once per crossing and at most {@code maxPerMonth} times per calendar month (UTC). Immutable.
 *
 * @param thresholdUsd USD, more than 0; required when enabled
 * @param packageId a credit package id; required when enabled
 * @param maxPerMonth 1-31
 */
public record AutoTopUpSettings(boolean enabled, @Nullable BigDecimal thresholdUsd, @Nullable String packageId,
        int maxPerMonth) {

    /** An account that never saved its settings: off. */
    public static final AutoTopUpSettings OFF = new AutoTopUpSettings(false, null, null, 1);
}
