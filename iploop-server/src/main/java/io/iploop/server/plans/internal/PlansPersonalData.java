package io.iploop.server.plans.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Subscriptions and usage-alert settings of an account (docs/privacy.md): exported. They hold no
 * contact data; erasure leaves them (plan history is part of what was billed). Thread-safe.
 */
@Component
class PlansPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    PlansPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "plans";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("subscriptions.json", PersonalDataRows.json(jdbc, userId,
                "FROM user_plans r WHERE r.user_id = :id", "r.started_at, r.id", "user_id"));
        out.json("alert-settings.json", PersonalDataRows.json(jdbc, userId,
                "FROM plan_alert_settings r WHERE r.user_id = :id", null, "user_id"));
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        // Nothing personal beyond the account id.
    }
}
