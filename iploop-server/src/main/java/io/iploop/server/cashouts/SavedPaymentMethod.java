package io.iploop.server.cashouts;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A saved payment method as shown to its owner: details masked, never in clear. Immutable.
 *
 * @param verified true once its e-mailed code was entered; only verified methods serve auto-cash-out
 */
public record SavedPaymentMethod(UUID id, CashoutMethod method, @Nullable String label, String details,
        boolean isDefault, boolean verified, Instant createdAt) {}
