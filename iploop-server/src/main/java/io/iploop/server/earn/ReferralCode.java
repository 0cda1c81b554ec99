package io.iploop.server.earn;

/**
 * An operator's referral code and the sign-up link that carries it (docs/product/earn.md#referrals). Immutable.
 *
 * @param link the dashboard's registration page with {@code ?ref=CODE}
 */
public record ReferralCode(String code, String link) {}
