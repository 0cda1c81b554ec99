package io.iploop.server.subusers.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The sub-users feature's share of personal data (docs/privacy.md): sub-users and their monthly
 * traffic (never their secret hashes). Erasure disables them and clears their IP whitelists.
 * Thread-safe.
 */
@Component
class SubUsersPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    SubUsersPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "subusers";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("sub-users.json", PersonalDataRows.json(jdbc, userId,
                "FROM sub_users r WHERE r.user_id = :id", "r.created_at, r.id", "secret_hash", "user_id"));
        out.json("sub-user-traffic.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.sub_user_id, t.month), '[]')
                        FROM sub_user_traffic t WHERE t.sub_user_id IN (SELECT id FROM sub_users WHERE user_id = :id)""")
                .param("id", userId).query().singleValue());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("UPDATE sub_users SET enabled = false, ip_whitelist = '{}', updated_at = now() WHERE user_id = :id")
                .param("id", subject.userId()).update();
    }
}
