package io.iploop.server.plans.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
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
        out.json("subscriptions.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(p) - 'user_id' ORDER BY p.started_at, p.id), '[]')
                        FROM user_plans p WHERE p.user_id = :id""").param("id", userId).query().singleValue());
        out.json("alert-settings.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(a) - 'user_id'), '[]')
                        FROM plan_alert_settings a WHERE a.user_id = :id""").param("id", userId).query().singleValue());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        // Nothing personal beyond the account id.
    }
}
