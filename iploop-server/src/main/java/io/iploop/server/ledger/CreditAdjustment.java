package io.iploop.server.ledger;

import java.util.UUID;

/**
 * A manual change of a user's earn credits by an admin (docs/product/admin.md#earn-and-money-tools).
 *
 * @param credits signed whole credits added to the user's {@link AccountPurpose#OPERATOR_EARNINGS}
 *     (negative takes credits away, never below zero)
 * @param reason why, shown in the user's history and the audit log; 3 to 500 characters
 * @param idempotencyKey optional: a retried request with the same key adjusts once
 */
public record CreditAdjustment(UUID userId, long credits, String reason, @org.jspecify.annotations.Nullable String idempotencyKey) {}
