package io.iploop.server.autoban;

/**
 * The auto-ban rules' settings (docs/moderation.md#auto-ban-rules). Immutable; validated by
 * {@link AutoBanService#update}, which names the first bad field.
 *
 * @param qualityEnabled rule {@code quality} is evaluated
 * @param qualityBelow a score below this (1-100) is poor
 * @param qualityForMinutes how long (1-10080 min) the score must stay poor at every evaluation
 * @param qualityMinStreams streams (1-1000000) the node must have carried while poor, so that a node
 *     nobody measured is never quarantined
 * @param qualityExpiryHours how long (1-8760 h) the quarantine lasts
 * @param abuseEnabled rule {@code abuse-reports} is evaluated
 * @param abuseReports open or confirmed reports (1-1000) against a node that quarantine it
 * @param abuseWindowHours reports filed this recently (1-720 h) count
 * @param abuseExpiryHours how long (1-8760 h) the quarantine lasts, 0 for until an admin lifts it
 * @param fraudEnabled rule {@code earnings-anomaly} is evaluated
 * @param fraudExpiryHours how long (1-8760 h) the quarantine lasts, 0 for until an admin lifts it
 */
public record AutoBanRules(boolean qualityEnabled, int qualityBelow, int qualityForMinutes, int qualityMinStreams,
        int qualityExpiryHours, boolean abuseEnabled, int abuseReports, int abuseWindowHours, int abuseExpiryHours,
        boolean fraudEnabled, int fraudExpiryHours) {

    /** The settings until an admin changes them. */
    public static final AutoBanRules DEFAULTS = new AutoBanRules(true, 20, 60, 20, 24, true, 3, 168, 0, true, 0);
}
