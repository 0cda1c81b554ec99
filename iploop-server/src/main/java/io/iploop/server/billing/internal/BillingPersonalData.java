package io.iploop.server.billing.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
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
        out.json("invoices.json", PersonalDataRows.json(jdbc, userId,
                "FROM billing_invoices r WHERE r.user_id = :id", "r.created_at, r.id", "pdf", "user_id"));
        out.json("credit-notes.json", PersonalDataRows.json(jdbc, userId,
                "FROM billing_credit_notes r WHERE r.user_id = :id", "r.created_at, r.id", "pdf", "user_id"));
        out.json("buyer-details.json", PersonalDataRows.json(jdbc, userId,
                "FROM billing_buyer_details r WHERE r.user_id = :id", null, "user_id"));
        out.json("credit-settings.json", PersonalDataRows.json(jdbc, userId,
                "FROM billing_credit_settings r WHERE r.user_id = :id", null, "user_id"));
        out.json("feature-sessions.json", PersonalDataRows.json(jdbc, userId,
                "FROM billing_feature_sessions r WHERE r.user_id = :id", "r.started_at", "user_id"));
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
