package io.iploop.server.usage;

import io.iploop.server.platform.v2.Paged;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * The usage feature's public API: summaries and breakdowns of {@code usage_records}
 * (docs/product/usage.md#analytics). Every query is scoped by the account id and covers the last
 * {@link UsagePeriod#days()} × 24 h up to now. Thread-safe.
 */
public interface UsageService {

    /** Longest period, in days. */
    int MAX_DAYS = 365;

    /** Most rows {@link #recent} and {@link #topDomains} return (docs/product/usage.md#analytics: recent max 100). */
    int MAX_LIMIT = 100;

    /** Totals of the period. */
    UsageSummary summary(UUID userId, UsagePeriod period);

    /**
     * As {@link #summary(UUID, UsagePeriod)} for {@code days}.
     *
     * @throws UsageException {@code INVALID_PERIOD} unless 1 ≤ days ≤ {@link #MAX_DAYS}
     */
    default UsageSummary summary(UUID userId, int days) {
        return summary(userId, new UsagePeriod(days));
    }

    /**
     * Per UTC calendar date, oldest first, one bucket for every date the period touches (the first
     * and the last are partial days), zero where there was no usage.
     */
    UsageBreakdown daily(UUID userId, UsagePeriod period);

    /** Per hour of day (UTC), buckets 0 to 23 in order, zero where there was no usage. */
    UsageBreakdown hourly(UUID userId, UsagePeriod period);

    /** Per targeted country (null: none targeted), most bytes first. */
    UsageBreakdown byCountry(UUID userId, UsagePeriod period);

    /** Per API key (labelled with its name), most bytes first. */
    UsageBreakdown byKey(UUID userId, UsagePeriod period);

    /**
     * Usage per sub-user id (docs/sub-users.md#usage), most bytes first; the bucket with a null key
     * is the account's own keys.
     */
    UsageBreakdown bySubUser(UUID userId, UsagePeriod period);

    /**
     * Per origin HTTP status, ascending, null (CONNECT and SOCKS5 tunnels, refused requests) last.
     * A stream that carried several requests counts under the status of its last response.
     */
    UsageBreakdown statusCodes(UUID userId, UsagePeriod period);

    /**
     * The {@code limit} target hosts with the most bytes, most first.
     *
     * @throws UsageException {@code INVALID_LIMIT} unless 1 ≤ limit ≤ {@link #MAX_LIMIT}
     */
    UsageBreakdown topDomains(UUID userId, UsagePeriod period, int limit);

    /**
     * The newest {@code limit} usage records, newest first.
     *
     * @throws UsageException {@code INVALID_LIMIT} unless 1 ≤ limit ≤ {@link #MAX_LIMIT}
     */
    RecentUsage recent(UUID userId, UsagePeriod period, int limit);

    /**
     * One page of the period's usage records matching {@code query}, filtered, ordered by
     * {@code startedAt} and paged in SQL (the table is the largest there is), with the number of
     * matching records.
     *
     * @throws UsageException {@code INVALID_FILTER} or {@code INVALID_LIMIT} naming the field at fault
     */
    Paged<UsageEntry> recent(UUID userId, UsagePeriod period, RecentUsageQuery query);

    /**
     * Usage over all accounts within {@code [from, to)}: admin statistics only, never shown to a
     * customer. @throws IllegalArgumentException when {@code from} is after {@code to}
     */
    PlatformUsage platformUsage(Instant from, Instant to);

    /**
     * Usage records the database refused and the sink set aside ({@code docs/security.md}), newest
     * first: admin view only.
     *
     * @param page 1-based
     * @param limit 1 to {@link #MAX_LIMIT}
     * @throws UsageException {@code INVALID_LIMIT} naming {@code page} or {@code limit}
     */
    UsageDeadLetterPage deadLetters(int page, int limit);

    /**
     * Who reached {@code host} through which exit within {@code [from, to)} (admin only: abuse
     * reports, docs/moderation.md#abuse-reports): one row per node and customer, most bytes first, at
     * most 100. {@code host} is compared case-insensitively with the records' target host (a name or
     * an IP literal, as the customer asked for it).
     *
     * @throws IllegalArgumentException when {@code from} is after {@code to}
     */
    List<TargetTraffic> trafficTo(String host, Instant from, Instant to);

    /** Longest range {@link #nodeTraffic} covers, in UTC days. */
    int MAX_TRAFFIC_DAYS = 31;

    /** Most hosts {@link #nodeTraffic} returns per day. */
    int MAX_TRAFFIC_HOSTS_PER_DAY = 200;

    /**
     * What exit node {@code nodeId} carried per UTC day, destination host and destination port
     * (docs/operator-transparency.md#destination-ports) on the days
     * {@code from} to {@code to} (both included), for its operator (docs/product/earn.md#traffic-transparency):
     * newest day first, within a day most bytes first, at most {@link #MAX_TRAFFIC_HOSTS_PER_DAY}
     * hosts a day; days without traffic are absent. Hosts compare case-insensitively. Callers check
     * that the caller owns the node.
     *
     * @throws IllegalArgumentException when {@code from} is after {@code to} or the range spans more
     *     than {@link #MAX_TRAFFIC_DAYS} days
     */
    List<NodeTraffic> nodeTraffic(UUID nodeId, LocalDate from, LocalDate to);

    /**
     * {@link #nodeTraffic} with each row's distinct customer ids, for server-side lookups of the
     * customers' categories (docs/operator-transparency.md#customer-categories); same order, limits
     * and errors. The ids must never reach the operator.
     */
    List<NodeTrafficCustomers> nodeTrafficCustomers(UUID nodeId, LocalDate from, LocalDate to);

    /**
     * Metered bytes (both directions, at the customer-facing socket, the bytes earnings are based on)
     * of the usage records exit node {@code nodeId} carried, per UTC day from {@code from} to
     * {@code to} (both included); days without records are absent
     * (docs/operator-transparency.md#agent-byte-reconciliation). Callers check ownership.
     *
     * @throws IllegalArgumentException when {@code from} is after {@code to} or the range spans more
     *     than {@link #MAX_TRAFFIC_DAYS} days
     */
    java.util.Map<LocalDate, Long> nodeDailyBytes(UUID nodeId, LocalDate from, LocalDate to);

    /**
     * Bytes (downloaded + uploaded) of the account's upstream-pool usage records
     * ({@code pool_port} set) that started at or after {@code since}: what counts against the pool
     * quota (docs/upstream-pool.md#metering). Residential traffic is not counted.
     */
    long poolBytesSince(UUID userId, Instant since);

    /**
     * Upstream-pool bytes per account and pool port of the records that started in
     * [{@code from}, {@code to}), largest first, at most {@code limit} rows
     * (docs/upstream-pool.md#admin-api-and-tokens, live usage). For admins.
     */
    List<PoolTraffic> poolTraffic(Instant from, Instant to, int limit);

    /**
     * Stores usage records of upstream-pool traffic reported from outside the gateway (the
     * goproxy-compatible {@code traffic-url} hook, docs/upstream-pool.md#goproxy-compatible-hooks)
     * exactly as the gateway's own records: the same idempotent insert by id and the same
     * {@link UsageRecorded} events, so they are billed like any other usage.
     *
     * @throws IllegalArgumentException when a record has no {@code poolPort}
     */
    void recordPoolUsage(List<io.iploop.gateway.spi.UsageRecord> records);
}
