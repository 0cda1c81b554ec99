package io.iploop.server.keys.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
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
        out.json("api-keys.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(k) - 'key_hash' - 'user_id' ORDER BY k.created_at, k.id), '[]')
                        FROM api_keys k WHERE k.user_id = :id""").param("id", userId).query().singleValue());
        out.json("account-ip-whitelist.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(w) - 'user_id'), '[]')
                        FROM account_ip_whitelists w WHERE w.user_id = :id""").param("id", userId).query().singleValue());
        out.json("ip-authorisations.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(a) - 'user_id' ORDER BY a.created_at), '[]')
                        FROM account_ip_authorisations a WHERE a.user_id = :id""").param("id", userId).query().singleValue());
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
