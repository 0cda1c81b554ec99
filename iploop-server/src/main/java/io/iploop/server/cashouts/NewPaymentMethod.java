package io.iploop.server.cashouts;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A payment method to save ({@code POST /api/earn/payment-methods}); details as in
 * {@link NewCashout#paymentDetails()}. Immutable.
 */
public record NewPaymentMethod(String method, @Nullable String label, Map<String, String> details,
        boolean isDefault) {}
