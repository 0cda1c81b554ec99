package io.iploop.server.abuse;

import io.iploop.server.usage.TargetTraffic;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Abuse reports (docs/moderation.md#abuse-reports): public intake, admin queue, resolution that can
 * quarantine the exits that carried the reported traffic. Thread-safe.
 */
public interface AbuseService {

    /** Reports accepted per client address per hour. */
    int REPORTS_PER_HOUR = 5;

    /**
     * Stores a report from the public intake.
     *
     * @param clientIp the submitter's address (IP literal), for the rate limit and the record
     * @throws AbuseException {@code INVALID_REPORT} (400) naming the field; {@code TOO_MANY_REPORTS}
     *     (429) after {@link #REPORTS_PER_HOUR} reports from {@code clientIp} within an hour;
     *     {@code INTAKE_RATE_LIMITED} (429) when all addresses together filed the configured number of
     *     reports within the last hour; {@code QUEUE_FULL} (429) while the configured number of reports
     *     is open. Each 429 carries a retry-after; a refused report is not stored and spends no
     *     per-address token.
     */
    AbuseReport submit(NewAbuseReport report, String clientIp);

    /** Reports, newest first, at most 200; {@code openOnly} for the queue. */
    List<AbuseReport> list(boolean openOnly);

    /**
     * Reports filed at or after {@code since}, open and resolved, oldest first, at most 10 000: what
     * the auto-ban rule {@code abuse-reports} counts (docs/moderation.md#auto-ban-rules).
     */
    List<AbuseReport> filedSince(Instant since);

    /** One report. @throws AbuseException {@code REPORT_NOT_FOUND} */
    AbuseReport report(UUID id);

    /**
     * The traffic the usage records show to the report's target within its window: customers and
     * exit nodes, most bytes first. @throws AbuseException {@code REPORT_NOT_FOUND}
     */
    List<TargetTraffic> traffic(UUID id);

    /**
     * Resolves a report with a note; with {@code quarantine}, every exit node that carried traffic to
     * the target in the window is quarantined (docs/moderation.md), with the report named in the
     * reason. Audited.
     *
     * @throws AbuseException {@code REPORT_NOT_FOUND}, {@code ALREADY_RESOLVED} (409),
     *     {@code INVALID_REPORT} naming {@code note} (1-1000 characters)
     */
    AbuseReport resolve(UUID adminId, UUID id, String note, boolean quarantine);
}
