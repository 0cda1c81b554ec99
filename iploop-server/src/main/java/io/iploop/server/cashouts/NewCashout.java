package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A cash-out request as the user sends it ({@code POST /api/earn/cashout}). Exactly one of
 * {@code amountUsd} and {@code amountCredits}, and exactly one of {@code paymentDetails} and
 * {@code savedPaymentMethodId}. Immutable.
 *
 * @param method a {@link CashoutMethod} value, e.g. {@code paypal}
 * @param amountUsd gross USD with at most 2 decimals
 * @param amountCredits gross whole credits, a multiple of 10 (whole cents)
 * @param paymentDetails per method: {@code email} (paypal, amazon_gift_card), {@code address} (usdt,
 *     bitcoin), {@code iban} + {@code swift} + {@code accountHolder} (bank_transfer), {@code revtag} (revolut)
 */
public record NewCashout(String method, @Nullable BigDecimal amountUsd, @Nullable Long amountCredits,
        @Nullable Map<String, String> paymentDetails, @Nullable UUID savedPaymentMethodId) {}
