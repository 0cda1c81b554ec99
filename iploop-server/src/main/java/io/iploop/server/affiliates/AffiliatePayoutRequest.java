package io.iploop.server.affiliates;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A payout of available commission as the affiliate asks for it ({@code POST /api/affiliates/payouts}).
 * Exactly one of {@code paymentDetails} and {@code savedPaymentMethodId}. Immutable.
 *
 * @param method a cash-out method, e.g. {@code bank_transfer} (docs/product/cashouts.md)
 * @param amount EUR, at most 2 decimals, at least the programme's minimum
 * @param paymentDetails per method, as for a cash-out ({@code iban}, {@code swift}, {@code accountHolder}, …)
 */
public record AffiliatePayoutRequest(@Nullable String method, @Nullable BigDecimal amount,
        @Nullable Map<String, String> paymentDetails, @Nullable UUID savedPaymentMethodId) {}
