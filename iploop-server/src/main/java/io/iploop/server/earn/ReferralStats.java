package io.iploop.server.earn;

import java.math.BigDecimal;

/**
 * An operator's referral totals (docs/product/earn.md#referrals). Immutable.
 *
 * @param referredUsers users who signed up with the code
 * @param refereeEarnings bandwidth credits those users earned since (the base of the commission)
 * @param commissionCredits the referrer's 10 % commission credited so far (rounded down per
 *     posting, the remainder carried, so it equals floor(10 % of refereeEarnings) per referee)
 */
public record ReferralStats(String code, long referredUsers, long refereeEarnings, long commissionCredits,
        BigDecimal commissionUsd) {}
