package io.iploop.server.billing.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Billing data of a person (docs/privacy.md): invoices and credit notes (metadata and their PDFs),
 * saved buyer details, credit settings, feature sessions. Erasure deletes the saved buyer details
 * and settings but keeps issued invoices and credit notes exactly as issued, buyer name and e-mail
 * included: tax law requires keeping them unchanged (docs/privacy.md#what-stays). Thread-safe.
 */
@Component
class BillingPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    BillingPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "billing";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("invoices.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(i) - 'pdf' - 'user_id' ORDER BY i.created_at, i.id), '[]')
                        FROM billing_invoices i WHERE i.user_id = :id""").param("id", userId).query().singleValue());
        out.json("credit-notes.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(c) - 'pdf' - 'user_id' ORDER BY c.created_at, c.id), '[]')
                        FROM billing_credit_notes c WHERE c.user_id = :id""").param("id", userId).query().singleValue());
        out.json("buyer-details.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(b) - 'user_id'), '[]')
                        FROM billing_buyer_details b WHERE b.user_id = :id""").param("id", userId).query().singleValue());
        out.json("credit-settings.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(s) - 'user_id'), '[]')
                        FROM billing_credit_settings s WHERE s.user_id = :id""").param("id", userId).query().singleValue());
        out.json("feature-sessions.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(f) - 'user_id' ORDER BY f.started_at), '[]')
                        FROM billing_feature_sessions f WHERE f.user_id = :id""").param("id", userId).query().singleValue());
        jdbc.sql("SELECT number, pdf FROM billing_invoices WHERE user_id = :id ORDER BY created_at, id").param("id", userId)
                .query(rs -> {
                    out.bytes("invoices/" + safe(rs.getString(1)) + ".pdf", rs.getBytes(2));
                });
        jdbc.sql("SELECT number, pdf FROM billing_credit_notes WHERE user_id = :id ORDER BY created_at, id")
                .param("id", userId)
                .query(rs -> {
                    out.bytes("credit-notes/" + safe(rs.getString(1)) + ".pdf", rs.getBytes(2));
                });
    }

    private static String safe(String number) {
        return number.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("DELETE FROM billing_buyer_details WHERE user_id = :id").param("id", subject.userId()).update();
    }
}
