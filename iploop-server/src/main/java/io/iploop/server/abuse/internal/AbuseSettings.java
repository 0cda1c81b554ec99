package io.iploop.server.abuse.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.abuse.*}: the global bounds of the public abuse intake, on top of the per-address
 * limit (docs/moderation.md#abuse-reports). They bound what many addresses together can write into
 * {@code abuse_reports}. Immutable.
 *
 * @param reportsPerHour {@code IPLOOP_ABUSE_REPORTS_PER_HOUR} (100): reports accepted from all
 *     addresses together within the last hour; 1-100 000
 * @param maxOpenReports {@code IPLOOP_ABUSE_MAX_OPEN_REPORTS} (1 000): open (unresolved) reports
 *     the queue holds; at that size the intake refuses until an admin resolves some; 1-1 000 000
 */
@ConfigurationProperties("iploop.abuse")
record AbuseSettings(@DefaultValue("100") int reportsPerHour, @DefaultValue("1000") int maxOpenReports) {

    AbuseSettings {
        if (reportsPerHour < 1 || reportsPerHour > 100_000) {
            throw new IllegalArgumentException("IPLOOP_ABUSE_REPORTS_PER_HOUR: " + reportsPerHour
                    + " (expected: 1-100000)");
        }
        if (maxOpenReports < 1 || maxOpenReports > 1_000_000) {
            throw new IllegalArgumentException("IPLOOP_ABUSE_MAX_OPEN_REPORTS: " + maxOpenReports
                    + " (expected: 1-1000000)");
        }
    }
}
