package io.iploop.server.proxysessions.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The sticky sessions of the proxy kept in PostgreSQL (docs/privacy.md): exported as they are,
 * deleted on erasure (sessions held in Redis expire on their own within their lifetime). Thread-safe.
 */
@Component
class ProxySessionsPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    ProxySessionsPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "proxysessions";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("sticky-sessions.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(s) - 'user_id' ORDER BY s.pinned_at), '[]')
                        FROM proxy_sticky_sessions s WHERE s.user_id = :id""").param("id", userId).query().singleValue());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("DELETE FROM proxy_sticky_sessions WHERE user_id = :id").param("id", subject.userId()).update();
    }
}
