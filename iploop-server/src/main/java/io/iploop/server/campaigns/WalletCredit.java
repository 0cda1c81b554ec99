package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * A wallet top-up as posted.
 *
 * @param balance the wallet's balance after it
 * @param replayed true when an earlier top-up with the same idempotency key was found and nothing moved
 */
public record WalletCredit(UUID transactionId, BigDecimal amount, BigDecimal balance, boolean replayed) {}
