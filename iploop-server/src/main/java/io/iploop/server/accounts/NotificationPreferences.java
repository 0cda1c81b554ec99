package io.iploop.server.accounts;

/**
 * Which e-mails an account wants (docs/product/accounts.md#notification-preferences). An account
 * that never saved its preferences gets {@link #DEFAULTS}. Immutable.
 *
 * @param lowBalance an e-mail when the plan's GB balance runs low
 * @param weeklyReport a weekly usage summary
 * @param securityAlerts e-mails about security-relevant changes (new 2FA, password, sessions)
 * @param dailyDigest the node operator's daily digest of yesterday's device traffic, earnings and
 *     uptime (docs/operator-transparency.md#daily-digest); opt-in, so off by default and when a
 *     request body leaves it out
 */
public record NotificationPreferences(boolean lowBalance, boolean weeklyReport, boolean securityAlerts,
        boolean dailyDigest) {

    /** Every notification on except the opt-in daily digest, as for a new account. */
    public static final NotificationPreferences DEFAULTS = new NotificationPreferences(true, true, true, false);
}
