package io.iploop.server.webhooks.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Webhook endpoints of an account (docs/privacy.md): exported with their signing secrets redacted;
 * on erasure deleted with their messages and delivery logs (payloads and responses may carry
 * personal data), so nothing is delivered any more. Thread-safe.
 */
@Component
class WebhooksPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    WebhooksPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "webhooks";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("endpoints.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(e) - 'user_id' || jsonb_build_object('secret', '[redacted]')
                                                  ORDER BY e.created_at, e.id), '[]')
                        FROM webhook_endpoints e WHERE e.user_id = :id""").param("id", userId).query().singleValue());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        String mine = "SELECT id FROM webhook_endpoints WHERE user_id = :id";
        jdbc.sql("DELETE FROM webhook_deliveries WHERE endpoint_id IN (" + mine + ")").param("id", subject.userId()).update();
        jdbc.sql("DELETE FROM webhook_messages WHERE endpoint_id IN (" + mine + ")").param("id", subject.userId()).update();
        jdbc.sql("DELETE FROM webhook_endpoints WHERE user_id = :id").param("id", subject.userId()).update();
    }
}
