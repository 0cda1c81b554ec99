package io.iploop.server.earn.internal;

import io.iploop.server.earn.DeviceEarning;
import io.iploop.server.earn.ReviewFlag;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL of the earn tables. Every query on operator data takes the user id. Thread-safe. */
@Repository
class EarnRepository {

    /** Advisory lock key of crediting: the bytes of "earncred" as a long. */
    static final long CREDITING_LOCK_KEY = 0x6561726e63726564L;

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    EarnRepository(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    // ------------------------------------------------------------------ contributions

    /** One contribution row per node and customer of a usage batch, in the batch's transaction. */
    void insertContributions(List<Contribution> rows) {
        template.batchUpdate("""
                        INSERT INTO bandwidth_contributions (node_id, user_id, bytes, customer_id, payment, counted_devices,
                            geo_country, country_sharing_nodes, uptime_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                rows, 500, (ps, c) -> {
                    ps.setObject(1, c.nodeId());
                    ps.setObject(2, c.userId());
                    ps.setLong(3, c.bytes());
                    ps.setObject(4, c.customerId());
                    ps.setString(5, c.payment().dbValue());
                    ps.setInt(6, c.inputs().countedDevices());
                    ps.setString(7, c.inputs().country());
                    ps.setObject(8, c.inputs().countrySharingNodes());
                    ps.setObject(9, c.inputs().uptimeSince() == null ? null : utc(c.inputs().uptimeSince()));
                });
    }

    /** Nodes with contributions recorded before {@code end} and not credited yet. */
    List<UUID> nodesWithUncredited(Instant end) {
        return jdbc.sql("SELECT DISTINCT node_id FROM bandwidth_contributions WHERE earning_id IS NULL AND recorded_at < :end")
                .param("end", utc(end)).query(UUID.class).list();
    }

    /** The owner of the node's uncredited contributions before {@code end}, if there are any. */
    Optional<UUID> uncreditedOwner(UUID nodeId, Instant end) {
        return jdbc.sql("""
                        SELECT user_id FROM bandwidth_contributions
                        WHERE node_id = :node AND earning_id IS NULL AND recorded_at < :end LIMIT 1""")
                .param("node", nodeId).param("end", utc(end)).query(UUID.class).optional();
    }

    /**
     * Serialises crediting transactions across threads and instances until this transaction ends
     * (a PostgreSQL transaction-scoped advisory lock on a fixed key).
     */
    void lockCrediting() {
        jdbc.sql("SELECT pg_advisory_xact_lock(:key)").param("key", CREDITING_LOCK_KEY).query((rs, n) -> 1).single();
    }

    /** The node's uncredited contributions before {@code end}, locked for this transaction. */
    List<Uncredited> lockUncredited(UUID nodeId, Instant end) {
        return jdbc.sql("""
                        SELECT id, user_id, bytes, recorded_at, payment, counted_devices, geo_country,
                            country_sharing_nodes, uptime_since FROM bandwidth_contributions
                        WHERE node_id = :node AND earning_id IS NULL AND recorded_at < :end
                        ORDER BY recorded_at, id FOR UPDATE""")
                .param("node", nodeId).param("end", utc(end))
                .query((rs, n) -> {
                    Integer counted = rs.getObject("counted_devices", Integer.class);
                    Integer inCountry = rs.getObject("country_sharing_nodes", Integer.class);
                    MultiplierInputs inputs = counted == null ? null : new MultiplierInputs(counted,
                            rs.getString("geo_country"), inCountry == null ? null : inCountry.longValue(),
                            instant(rs.getTimestamp("uptime_since")));
                    return new Uncredited(rs.getLong("id"), rs.getObject("user_id", UUID.class), rs.getLong("bytes"),
                            rs.getTimestamp("recorded_at").toInstant(), ContributionPayment.fromDb(rs.getString("payment")),
                            inputs);
                })
                .list();
    }

    void markCredited(List<Long> contributionIds, long earningId) {
        jdbc.sql("UPDATE bandwidth_contributions SET earning_id = :earning WHERE id = ANY(:ids) AND earning_id IS NULL")
                .param("earning", earningId).param("ids", contributionIds.toArray(Long[]::new)).update();
    }

    // ------------------------------------------------------------------ device state

    /** The device's state row, created if absent, locked until the transaction ends. */
    DeviceState lockState(UUID nodeId, UUID userId) {
        jdbc.sql("INSERT INTO earn_device_state (node_id, user_id) VALUES (:node, :user) ON CONFLICT (node_id) DO NOTHING")
                .param("node", nodeId).param("user", userId).update();
        return jdbc.sql("SELECT * FROM earn_device_state WHERE node_id = :node FOR UPDATE").param("node", nodeId)
                .query(EarnRepository::state).single();
    }

    Map<UUID, DeviceState> states(Collection<UUID> nodeIds) {
        Map<UUID, DeviceState> out = new HashMap<>();
        if (!nodeIds.isEmpty()) {
            jdbc.sql("SELECT * FROM earn_device_state WHERE node_id = ANY(:ids)").param("ids", nodeIds.toArray(UUID[]::new))
                    .query(EarnRepository::state).list().forEach(s -> out.put(s.nodeId(), s));
        }
        return out;
    }

    void creditedUntil(UUID nodeId, Instant end, BigDecimal carry) {
        jdbc.sql("UPDATE earn_device_state SET credited_until = :end, carry = :carry WHERE node_id = :node")
                .param("end", utc(end)).param("carry", carry).param("node", nodeId).update();
    }

    /** Records that the device was seen sharing at {@code now}, its uptime starting at {@code uptimeSince}. */
    void seen(UUID nodeId, UUID userId, Instant uptimeSince, Instant now) {
        jdbc.sql("""
                        INSERT INTO earn_device_state (node_id, user_id, uptime_since, last_seen_at)
                        VALUES (:node, :user, :since, :now)
                        ON CONFLICT (node_id) DO UPDATE SET uptime_since = EXCLUDED.uptime_since,
                            last_seen_at = GREATEST(earn_device_state.last_seen_at, EXCLUDED.last_seen_at)""")
                .param("node", nodeId).param("user", userId).param("since", utc(uptimeSince)).param("now", utc(now))
                .update();
    }

    private static DeviceState state(ResultSet rs, int n) throws SQLException {
        return new DeviceState(rs.getObject("node_id", UUID.class), instant(rs.getTimestamp("credited_until")),
                rs.getBigDecimal("carry"), instant(rs.getTimestamp("uptime_since")), instant(rs.getTimestamp("last_seen_at")));
    }

    // ------------------------------------------------------------------ operators and tiers

    /** Creates the user's operator row with a fresh referral code unless it exists. */
    void ensureOperator(UUID userId, String newCode) {
        jdbc.sql("INSERT INTO earn_operators (user_id, referral_code) VALUES (:user, :code) ON CONFLICT (user_id) DO NOTHING")
                .param("user", userId).param("code", newCode).update();
    }

    Optional<Operator> operator(UUID userId) {
        return jdbc.sql("SELECT * FROM earn_operators WHERE user_id = :user").param("user", userId)
                .query(EarnRepository::operator).optional();
    }

    Operator lockOperator(UUID userId) {
        return jdbc.sql("SELECT * FROM earn_operators WHERE user_id = :user FOR UPDATE").param("user", userId)
                .query(EarnRepository::operator).single();
    }

    Optional<Operator> operatorByCode(String code) {
        return jdbc.sql("SELECT * FROM earn_operators WHERE referral_code = :code").param("code", code)
                .query(EarnRepository::operator).optional();
    }

    /** Adds credited bytes and sets the tier (the caller never passes a lower one). */
    void addLifetime(UUID userId, long bytes, String tier, boolean tierChanged) {
        jdbc.sql("""
                        UPDATE earn_operators SET lifetime_bytes = lifetime_bytes + :bytes, tier = :tier,
                            tier_updated_at = CASE WHEN :changed THEN now() ELSE tier_updated_at END
                        WHERE user_id = :user""")
                .param("bytes", bytes).param("tier", tier).param("changed", tierChanged).param("user", userId).update();
    }

    void setReferredBy(UUID userId, UUID referrerId) {
        jdbc.sql("UPDATE earn_operators SET referred_by = :referrer WHERE user_id = :user")
                .param("referrer", referrerId).param("user", userId).update();
    }

    private static Operator operator(ResultSet rs, int n) throws SQLException {
        return new Operator(rs.getObject("user_id", UUID.class), rs.getString("tier"), rs.getLong("lifetime_bytes"),
                rs.getString("referral_code"), rs.getObject("referred_by", UUID.class));
    }

    /** Tiers, lowest first. */
    List<Tier> tiers() {
        return jdbc.sql("SELECT tier, rank, min_gb_shared, rate_per_gb, bonus_multiplier FROM tier_config ORDER BY rank")
                .query((rs, n) -> new Tier(rs.getString("tier"), rs.getInt("rank"), rs.getBigDecimal("min_gb_shared"),
                        rs.getBigDecimal("rate_per_gb"), rs.getBigDecimal("bonus_multiplier")))
                .list();
    }

    /** Country code to (multiplier, tier). */
    Map<String, Geo> geoMultipliers() {
        Map<String, Geo> out = new HashMap<>();
        jdbc.sql("SELECT country, multiplier, tier FROM geo_multipliers").query((rs, n) -> new Geo(rs.getString("country"),
                rs.getBigDecimal("multiplier"), rs.getString("tier"))).list().forEach(g -> out.put(g.country(), g));
        return out;
    }

    // ------------------------------------------------------------------ earnings

    /** Inserts a device-period; empty when the period exists already (it was credited). */
    Optional<Long> insertEarning(NewEarning e) {
        return jdbc.sql("""
                        INSERT INTO device_earnings (node_id, user_id, period_start, period_end, bytes_shared, tier,
                            rate_per_gb, base_credits, device_multiplier, uptime_multiplier, geo_multiplier, geo_tier,
                            multiplier, carry_in, total_credits, carry_out, ledger_transaction_id, paid_bytes,
                            trial_bytes, unpaid_bytes, counted_devices, geo_country, trial_multiplier, bytes_per_gb)
                        VALUES (:node, :user, :start, :end, :bytes, :tier, :rate, :base, :dm, :um, :gm, :geoTier, :m,
                            :carryIn, :total, :carryOut, :tx, :paid, :trial, :unpaid, :counted, :country, :tm, :gb)
                        ON CONFLICT (node_id, period_start) DO NOTHING
                        RETURNING id""")
                .param("node", e.nodeId()).param("user", e.userId()).param("start", utc(e.periodStart()))
                .param("end", utc(e.periodEnd())).param("bytes", e.bytes()).param("tier", e.tier())
                .param("rate", e.rate()).param("base", e.baseCredits()).param("dm", e.deviceMultiplier())
                .param("um", e.uptimeMultiplier()).param("gm", e.geoMultiplier()).param("geoTier", e.geoTier())
                .param("m", e.multiplier()).param("carryIn", e.carryIn()).param("total", e.totalCredits())
                .param("carryOut", e.carryOut()).param("tx", e.transactionId()).param("paid", e.paidBytes())
                .param("trial", e.trialBytes()).param("unpaid", e.unpaidBytes()).param("counted", e.countedDevices())
                .param("country", e.geoCountry()).param("tm", e.trialMultiplier()).param("gb", CreditMath.GB)
                .query(Long.class).optional();
    }

    void setCommission(long earningId, UUID referrerId, long credits, @Nullable UUID transactionId) {
        jdbc.sql("""
                        UPDATE device_earnings SET referrer_id = :referrer, commission_credits = :credits,
                            commission_transaction_id = :tx WHERE id = :id""")
                .param("referrer", referrerId).param("credits", credits).param("tx", transactionId).param("id", earningId)
                .update();
    }

    /**
     * The user's device-periods, newest first by period end, without device names: {@code nodes} is
     * the nodes feature's table, so the service adds the names from {@code NodesService}.
     */
    List<DeviceEarning> earnings(UUID userId, int limit) {
        return jdbc.sql("""
                        SELECT e.* FROM device_earnings e
                        WHERE e.user_id = :user ORDER BY e.period_end DESC, e.id DESC LIMIT :limit""")
                .param("user", userId).param("limit", limit).query(EarnRepository::earning).list();
    }

    private static DeviceEarning earning(ResultSet rs, int n) throws SQLException {
        return new DeviceEarning(rs.getLong("id"), rs.getObject("node_id", UUID.class), null,
                rs.getTimestamp("period_start").toInstant(), rs.getTimestamp("period_end").toInstant(),
                rs.getLong("bytes_shared"), rs.getString("tier"), rs.getBigDecimal("rate_per_gb"),
                rs.getBigDecimal("base_credits"), rs.getBigDecimal("device_multiplier"),
                rs.getBigDecimal("uptime_multiplier"), rs.getBigDecimal("geo_multiplier"), rs.getString("geo_tier"),
                rs.getBigDecimal("multiplier"), rs.getLong("total_credits"),
                rs.getObject("ledger_transaction_id", UUID.class), rs.getLong("paid_bytes"), rs.getLong("trial_bytes"),
                rs.getLong("unpaid_bytes"), rs.getObject("counted_devices", Integer.class), rs.getString("geo_country"),
                rs.getBigDecimal("trial_multiplier"), rs.getBigDecimal("carry_in"), rs.getBigDecimal("carry_out"),
                rs.getLong("bytes_per_gb"));
    }

    /** Per device of the user: bytes today and in total, credits today and in total. */
    Map<UUID, DeviceTotals> deviceTotals(UUID userId, Instant dayStart) {
        Map<UUID, DeviceTotals> out = new HashMap<>();
        jdbc.sql("""
                        SELECT node_id, sum(bytes) AS total, sum(bytes) FILTER (WHERE recorded_at >= :day) AS today
                        FROM bandwidth_contributions WHERE user_id = :user GROUP BY node_id""")
                .param("user", userId).param("day", utc(dayStart))
                .query((rs, n) -> {
                    out.put(rs.getObject("node_id", UUID.class), new DeviceTotals(rs.getLong("today"), rs.getLong("total"), 0, 0));
                    return null;
                }).list();
        jdbc.sql("""
                        SELECT node_id, sum(total_credits) AS total,
                               sum(total_credits) FILTER (WHERE period_end > :day) AS today
                        FROM device_earnings WHERE user_id = :user GROUP BY node_id""")
                .param("user", userId).param("day", utc(dayStart))
                .query((rs, n) -> {
                    UUID node = rs.getObject("node_id", UUID.class);
                    DeviceTotals t = out.getOrDefault(node, new DeviceTotals(0, 0, 0, 0));
                    out.put(node, new DeviceTotals(t.bytesToday(), t.bytesTotal(), rs.getLong("today"), rs.getLong("total")));
                    return null;
                }).list();
        return out;
    }

    /** Credits earned (bandwidth plus referral commissions) with period end in [from, to). */
    long creditsEarned(UUID userId, Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT COALESCE((SELECT sum(total_credits) FROM device_earnings
                                         WHERE user_id = :user AND period_end > :from AND period_end <= :to), 0)
                             + COALESCE((SELECT sum(commission_credits) FROM device_earnings
                                         WHERE referrer_id = :user AND period_end > :from AND period_end <= :to), 0)""")
                .param("user", userId).param("from", utc(from)).param("to", utc(to)).query(Long.class).single();
    }

    /** Daily bytes (contributions) and credits (earnings and commissions) of the user, UTC days in [from, to]. */
    List<DailyRow> daily(UUID userId, LocalDate from, LocalDate to) {
        return jdbc.sql("""
                        SELECT d::date AS day,
                               COALESCE((SELECT sum(bytes) FROM bandwidth_contributions
                                         WHERE user_id = :user AND recorded_at >= d AND recorded_at < d + interval '1 day'), 0) AS bytes,
                               COALESCE((SELECT sum(total_credits) FROM device_earnings
                                         WHERE user_id = :user AND period_end > d AND period_end <= d + interval '1 day'), 0)
                             + COALESCE((SELECT sum(commission_credits) FROM device_earnings
                                         WHERE referrer_id = :user AND period_end > d AND period_end <= d + interval '1 day'), 0)
                                 AS credits
                        FROM generate_series(CAST(:from AS timestamp) AT TIME ZONE 'UTC',
                                             CAST(:to AS timestamp) AT TIME ZONE 'UTC', interval '1 day') AS d
                        ORDER BY d""")
                .param("user", userId).param("from", from.atStartOfDay()).param("to", to.atStartOfDay())
                .query((rs, n) -> new DailyRow(rs.getObject("day", LocalDate.class), rs.getLong("bytes"), rs.getLong("credits")))
                .list();
    }

    // ------------------------------------------------------------------ referrals

    void insertReferral(UUID id, UUID referrerId, UUID refereeId, String code) {
        jdbc.sql("""
                        INSERT INTO referrals (id, referrer_id, referee_id, referral_code) VALUES (:id, :referrer, :referee, :code)
                        ON CONFLICT (referee_id) DO NOTHING""")
                .param("id", id).param("referrer", referrerId).param("referee", refereeId).param("code", code).update();
    }

    /** The referral that brought {@code refereeId}, locked for this transaction. */
    Optional<Referral> lockReferralOf(UUID refereeId) {
        return jdbc.sql("SELECT * FROM referrals WHERE referee_id = :referee FOR UPDATE").param("referee", refereeId)
                .query(EarnRepository::referral).optional();
    }

    void addToReferral(UUID id, long refereeCredits, long commission, BigDecimal carry) {
        jdbc.sql("""
                        UPDATE referrals SET referee_total_earnings = referee_total_earnings + :earned,
                            referrer_total_commission = referrer_total_commission + :commission, commission_carry = :carry
                        WHERE id = :id""")
                .param("earned", refereeCredits).param("commission", commission).param("carry", carry).param("id", id).update();
    }

    /** Referrals made by {@code referrerId}, newest first. */
    /** Who referred {@code refereeId} (at most one per account) unless that referral was refused. */
    Optional<UUID> referrerUnlessRefused(UUID refereeId) {
        return jdbc.sql("SELECT referrer_id FROM referrals WHERE referee_id = :referee AND qualification <> 'refused'")
                .param("referee", refereeId).query(UUID.class).optional();
    }

    List<Referral> referralsBy(UUID referrerId) {
        return jdbc.sql("SELECT * FROM referrals WHERE referrer_id = :referrer ORDER BY created_at DESC, id")
                .param("referrer", referrerId).query(EarnRepository::referral).list();
    }

    private static Referral referral(ResultSet rs, int n) throws SQLException {
        return new Referral(rs.getObject("id", UUID.class), rs.getObject("referrer_id", UUID.class),
                rs.getObject("referee_id", UUID.class), rs.getString("status"), rs.getLong("referee_total_earnings"),
                rs.getLong("referrer_total_commission"), rs.getBigDecimal("commission_carry"),
                rs.getTimestamp("created_at").toInstant());
    }

    // ------------------------------------------------------------------ referral qualification (docs/earn-fraud.md)

    /** The referee's referral while it waits to qualify, locked: (referral id, referrer id). */
    Optional<UUID[]> lockPendingReferral(UUID refereeId) {
        return jdbc.sql("SELECT id, referrer_id FROM referrals WHERE referee_id = :referee AND qualification = 'pending' FOR UPDATE")
                .param("referee", refereeId)
                .query((rs, n) -> new UUID[] {rs.getObject("id", UUID.class), rs.getObject("referrer_id", UUID.class)})
                .optional();
    }

    /** Sets {@code qualified} or {@code refused}. */
    void setQualification(UUID referralId, String qualification) {
        jdbc.sql("UPDATE referrals SET qualification = :q, qualified_at = now() WHERE id = :id")
                .param("q", qualification).param("id", referralId).update();
    }

    boolean referralQualified(UUID referralId) {
        return jdbc.sql("SELECT qualification = 'qualified' FROM referrals WHERE id = :id").param("id", referralId)
                .query(Boolean.class).single();
    }

    // ------------------------------------------------------------------ fraud evidence (docs/earn-fraud.md)

    void insertSignupSignal(UUID userId, @Nullable String ip) {
        jdbc.sql("INSERT INTO earn_account_signals (user_id, signup_ip) VALUES (:user, CAST(:ip AS inet)) ON CONFLICT (user_id) DO NOTHING")
                .param("user", userId).param("ip", ip).update();
    }

    Optional<SignupSignal> signupSignal(UUID userId) {
        return jdbc.sql("SELECT host(signup_ip) AS ip, created_at FROM earn_account_signals WHERE user_id = :user")
                .param("user", userId)
                .query((rs, n) -> new SignupSignal(rs.getString("ip"), rs.getTimestamp("created_at").toInstant()))
                .optional();
    }

    /** The device's average credits per period over its last {@code periods} periods ending before {@code end}; 0 without any. */
    BigDecimal trailingDeviceAverage(UUID nodeId, Instant end, int periods) {
        return jdbc.sql("""
                        SELECT COALESCE(avg(total_credits), 0) FROM (SELECT total_credits FROM device_earnings
                            WHERE node_id = :node AND period_end < :end ORDER BY period_end DESC LIMIT :k) t""")
                .param("node", nodeId).param("end", utc(end)).param("k", periods).query(BigDecimal.class).single();
    }

    /** Bandwidth credits of the user's devices with period end in (from, to]. */
    long creditsBetween(UUID userId, Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT COALESCE(sum(total_credits), 0) FROM device_earnings
                        WHERE user_id = :user AND period_end > :from AND period_end <= :to""")
                .param("user", userId).param("from", utc(from)).param("to", utc(to)).query(Long.class).single();
    }

    boolean hasOpenFlag(UUID userId, @Nullable UUID nodeId, String scope) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM earn_review_flags WHERE user_id = :user AND scope = :scope
                            AND node_id IS NOT DISTINCT FROM CAST(:node AS uuid) AND cleared_at IS NULL)""")
                .param("user", userId).param("scope", scope).param("node", nodeId).query(Boolean.class).single();
    }

    void insertFlag(UUID id, UUID userId, @Nullable UUID nodeId, String scope, long credits, BigDecimal average,
            String reason) {
        jdbc.sql("""
                        INSERT INTO earn_review_flags (id, user_id, node_id, scope, period_credits, trailing_avg, reason)
                        VALUES (:id, :user, :node, :scope, :credits, :avg, :reason)""")
                .param("id", id).param("user", userId).param("node", nodeId).param("scope", scope)
                .param("credits", credits).param("avg", average).param("reason", reason).update();
    }

    List<ReviewFlag> openFlags(UUID userId) {
        return jdbc.sql("SELECT * FROM earn_review_flags WHERE user_id = :user AND cleared_at IS NULL ORDER BY created_at, id")
                .param("user", userId).query(EarnRepository::flag).list();
    }

    /** Every user's open device flags (scope {@code device}), oldest first, at most {@code limit}. */
    List<ReviewFlag> openDeviceFlags(int limit) {
        return jdbc.sql("""
                        SELECT * FROM earn_review_flags WHERE scope = 'device' AND node_id IS NOT NULL
                          AND cleared_at IS NULL ORDER BY created_at, id LIMIT :limit""")
                .param("limit", limit).query(EarnRepository::flag).list();
    }

    /** Clears the user's open flags; returns them as cleared. */
    List<ReviewFlag> clearFlags(UUID userId, UUID adminId, @Nullable String note) {
        return jdbc.sql("""
                        UPDATE earn_review_flags SET cleared_at = now(), cleared_by = :admin, cleared_note = :note
                        WHERE user_id = :user AND cleared_at IS NULL RETURNING *""")
                .param("user", userId).param("admin", adminId).param("note", note).query(EarnRepository::flag).list();
    }

    private static ReviewFlag flag(ResultSet rs, int n) throws SQLException {
        return new ReviewFlag(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class),
                rs.getObject("node_id", UUID.class), rs.getString("scope"), rs.getLong("period_credits"),
                rs.getBigDecimal("trailing_avg"), rs.getString("reason"), rs.getTimestamp("created_at").toInstant(),
                instant(rs.getTimestamp("cleared_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /**
     * @param userId the node's owner; @param customerId the account whose traffic it was
     * @param inputs the multipliers' inputs when the bytes were carried
     */
    record Contribution(UUID nodeId, UUID userId, long bytes, UUID customerId, ContributionPayment payment,
            MultiplierInputs inputs) {}

    /** @param inputs as recorded when the bytes were carried; null for rows recorded before inputs were */
    record Uncredited(long id, UUID userId, long bytes, Instant recordedAt, ContributionPayment payment,
            @Nullable MultiplierInputs inputs) {}

    /** @param ip the public address the account signed up from, or null; @param at when */
    record SignupSignal(@Nullable String ip, Instant at) {}

    record DeviceState(UUID nodeId, @Nullable Instant creditedUntil, BigDecimal carry, @Nullable Instant uptimeSince,
            @Nullable Instant lastSeenAt) {}

    record Operator(UUID userId, String tier, long lifetimeBytes, String referralCode, @Nullable UUID referredBy) {}

    /** @param minGb lifetime GB (10^9 bytes) from which the tier applies; @param rate USD per GB */
    record Tier(String name, int rank, BigDecimal minGb, BigDecimal rate, BigDecimal bonus) {}

    record Geo(String country, BigDecimal multiplier, String tier) {}

    record NewEarning(UUID nodeId, UUID userId, Instant periodStart, Instant periodEnd, long bytes, String tier,
            BigDecimal rate, BigDecimal baseCredits, BigDecimal deviceMultiplier, BigDecimal uptimeMultiplier,
            BigDecimal geoMultiplier, String geoTier, BigDecimal multiplier, BigDecimal carryIn, long totalCredits,
            BigDecimal carryOut, @Nullable UUID transactionId, long paidBytes, long trialBytes, long unpaidBytes,
            @Nullable Integer countedDevices, @Nullable String geoCountry, BigDecimal trialMultiplier) {}

    record DeviceTotals(long bytesToday, long bytesTotal, long creditsToday, long creditsTotal) {}

    record DailyRow(LocalDate day, long bytes, long credits) {}

    record Referral(UUID id, UUID referrerId, UUID refereeId, String status, long refereeTotalEarnings,
            long referrerTotalCommission, BigDecimal commissionCarry, Instant createdAt) {}
}
