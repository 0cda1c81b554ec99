package io.iploop.server.billing;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * The low-balance alert of the prepaid credits (docs/billing.md#low-balance-alerts): an in-dashboard
 * notification and, while the "low balance" e-mail preference is on, an e-mail, once each time the
 * balance falls under {@code lowBalanceUsd}. Immutable.
 *
 * @param lowBalanceUsd USD, more than 0, or null for no alert
 */
public record CreditAlertSettings(@Nullable BigDecimal lowBalanceUsd) {}
