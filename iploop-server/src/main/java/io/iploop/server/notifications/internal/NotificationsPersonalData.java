package io.iploop.server.notifications.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The in-app notifications of an account (docs/privacy.md): exported; deleted on erasure (their
 * texts may name the person). Thread-safe.
 */
@Component
class NotificationsPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    NotificationsPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "notifications";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("notifications.json", PersonalDataRows.json(jdbc, userId,
                "FROM notifications r WHERE r.user_id = :id", "r.created_at, r.id", "user_id"));
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("DELETE FROM notifications WHERE user_id = :id").param("id", subject.userId()).update();
    }
}
