package io.iploop.server.proxysessions.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
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
        out.json("sticky-sessions.json", PersonalDataRows.json(jdbc, userId,
                "FROM proxy_sticky_sessions r WHERE r.user_id = :id", "r.pinned_at", "user_id"));
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("DELETE FROM proxy_sticky_sessions WHERE user_id = :id").param("id", subject.userId()).update();
    }
}
