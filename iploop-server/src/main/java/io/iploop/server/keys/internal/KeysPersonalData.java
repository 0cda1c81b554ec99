package io.iploop.server.keys.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The keys feature's share of personal data (docs/privacy.md): API keys as metadata (never their
 * hashes), the account IP whitelist and IP authorisations. Erasure revokes every key (the gateway
 * refuses it once its 5 s credential cache expires) and drops the whitelists. Thread-safe.
 */
@Component
class KeysPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    KeysPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "keys";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("api-keys.json", PersonalDataRows.json(jdbc, userId,
                "FROM api_keys r WHERE r.user_id = :id", "r.created_at, r.id", "key_hash", "user_id"));
        out.json("account-ip-whitelist.json", PersonalDataRows.json(jdbc, userId,
                "FROM account_ip_whitelists r WHERE r.user_id = :id", null, "user_id"));
        out.json("ip-authorisations.json", PersonalDataRows.json(jdbc, userId,
                "FROM account_ip_authorisations r WHERE r.user_id = :id", "r.created_at", "user_id"));
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("""
                        UPDATE api_keys SET is_active = false, deleted_at = coalesce(deleted_at, now()), ip_whitelist = '[]'
                        WHERE user_id = :id""").param("id", subject.userId()).update();
        jdbc.sql("DELETE FROM account_ip_whitelists WHERE user_id = :id").param("id", subject.userId()).update();
        jdbc.sql("DELETE FROM account_ip_authorisations WHERE user_id = :id").param("id", subject.userId()).update();
    }
}
