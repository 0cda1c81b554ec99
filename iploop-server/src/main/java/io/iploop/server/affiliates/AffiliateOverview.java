package io.iploop.server.affiliates;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * An affiliate's figures (docs/affiliates.md#page). Amounts in EUR at the ledger's scale (6 decimals);
 * pages round them to cents for display only. Immutable.
 *
 * @param code the user's one referral code (shared with the operator referral)
 * @param link the sign-up link carrying it
 * @param clicks distinct visitors who opened a link with the code (one per visitor cookie)
 * @param signUps accounts that signed up with the code
 * @param pending commission still in its holding period
 * @param available commission that can be paid out now
 * @param inPayout commission reserved by payouts in flight
 * @param paid commission paid out by completed payouts
 * @param rate the commission rate, e.g. 0.20
 * @param holdingPeriod how long a commission stays pending
 * @param minimumPayout the smallest payout, EUR
 * @param owed commission reversed after it had left {@code available} (paid out or in a payout), which the
 *     next released commissions pay back first (docs/affiliates.md#refunds-and-chargebacks); 0 or more
 */
public record AffiliateOverview(String code, String link, long clicks, long signUps, BigDecimal pending,
        BigDecimal available, BigDecimal inPayout, BigDecimal paid, String currency, BigDecimal rate,
        Duration holdingPeriod, BigDecimal minimumPayout, BigDecimal owed) {}
