package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * A row of {@code cashout_methods_config} (docs/product/cashouts.md). Immutable.
 *
 * @param minAmountUsd smallest gross amount, in {@code currency}
 * @param feeUsd fixed fee per cash-out, in {@code currency}
 * @param feePercent percentage fee of the gross amount (0-100)
 * @param processingTimeHours usual time from approval to money received
 * @param autoApproveAfter completed cash-outs of the user after which new ones need no admin; null:
 *     always reviewed
 */
public record MethodConfig(CashoutMethod method, BigDecimal minAmountUsd, BigDecimal feeUsd, BigDecimal feePercent,
        String currency, int processingTimeHours, boolean active, boolean requiresVerification,
        @Nullable Integer autoApproveAfter) {

    /** The fee for a gross amount: fixed plus percent, rounded half-up to cents (the payout boundary). */
    public BigDecimal feeFor(BigDecimal grossUsd) {
        return feeUsd.add(grossUsd.multiply(feePercent).movePointLeft(2)).setScale(2, RoundingMode.HALF_UP);
    }
}
