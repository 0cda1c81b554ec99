package io.iploop.server.earn;

/**
 * An operator's referral code and the sign-up link that carries it (seed 000 §3.7). Immutable.
 *
 * @param link the dashboard's registration page with {@code ?ref=CODE}
 */
public record ReferralCode(String code, String link) {}
