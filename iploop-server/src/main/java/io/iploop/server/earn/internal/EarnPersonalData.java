package io.iploop.server.earn.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Earnings of a node operator (docs/privacy.md): tier and referral code, earnings per device and
 * period, contributions (CSV), device state, referrals either way, review flags. Erasure drops the
 * sign-up address kept for fraud checks; earnings and contributions stay, as the ledger's credits
 * were computed from them. Thread-safe.
 */
@Component
class EarnPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    EarnPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "earn";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("operator.json", PersonalDataRows.json(jdbc, userId,
                "FROM earn_operators r WHERE r.user_id = :id", null, "user_id"));
        out.json("earnings.json", PersonalDataRows.json(jdbc, userId,
                "FROM device_earnings r WHERE r.user_id = :id", "r.period_start, r.id", "user_id"));
        out.json("device-state.json", PersonalDataRows.json(jdbc, userId,
                "FROM earn_device_state r WHERE r.user_id = :id", null, "user_id"));
        out.json("referrals.json", PersonalDataRows.json(jdbc, userId,
                "FROM referrals r WHERE r.referrer_id = :id OR r.referee_id = :id", "r.created_at"));
        out.json("sign-up-signals.json", one("SELECT coalesce(jsonb_agg(jsonb_build_object('signupIp', host(s.signup_ip), "
                + "'createdAt', s.created_at)), '[]') FROM earn_account_signals s WHERE s.user_id = :id", userId));
        out.json("review-flags.json", PersonalDataRows.json(jdbc, userId,
                "FROM earn_review_flags r WHERE r.user_id = :id", null, "user_id"));
        out.csv("contributions.csv", List.of("id", "node_id", "bytes", "recorded_at", "earning_id"), rows -> jdbc.sql("""
                        SELECT id, node_id, bytes, recorded_at, earning_id FROM bandwidth_contributions
                        WHERE user_id = :id ORDER BY recorded_at, id""")
                .param("id", userId)
                .query(rs -> {
                    rows.row(rs.getObject(1), rs.getObject(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                            rs.getObject(5));
                }));
    }

    private Object one(String sql, UUID userId) {
        return jdbc.sql(sql).param("id", userId).query().singleValue();
    }

    @Override
    public Set<String> addressesOf(UUID userId) {
        return Set.copyOf(jdbc.sql("SELECT host(signup_ip) FROM earn_account_signals WHERE user_id = :id AND signup_ip IS NOT NULL")
                .param("id", userId).query(String.class).list());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("UPDATE earn_account_signals SET signup_ip = NULL WHERE user_id = :id").param("id", subject.userId())
                .update();
    }
}
