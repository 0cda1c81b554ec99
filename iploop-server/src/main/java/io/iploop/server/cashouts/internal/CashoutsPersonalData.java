package io.iploop.server.cashouts.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import io.iploop.server.platform.PlatformSecrets;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Cash-outs of a node operator (docs/privacy.md): requests, saved payment methods and the auto
 * cash-out setting, payout details masked only (as shown in the dashboard). Erasure waits while a
 * cash-out is in flight ({@code cashout_pending}); then it deletes saved methods and the auto
 * cash-out setting, and replaces each request's payout details with an empty, re-encrypted set and
 * a {@code [erased]} mask; amounts, dates and provider references stay (financial record). Thread-safe.
 */
@Component
class CashoutsPersonalData implements PersonalData {

    /** Statuses of a cash-out that has not reached its end. */
    private static final String IN_FLIGHT = "('awaiting_confirmation', 'pending', 'approved', 'processing', 'payout_unknown')";

    private final JdbcClient jdbc;
    private final PlatformSecrets cipher;

    CashoutsPersonalData(JdbcClient jdbc, PlatformSecrets cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    @Override
    public String feature() {
        return "cashouts";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("cashouts.json", PersonalDataRows.json(jdbc, userId,
                "FROM cashout_requests r WHERE r.user_id = :id", "r.created_at, r.id",
                "payment_details_encrypted", "code_hash", "user_id", "admin_notes"));
        out.json("payment-methods.json", PersonalDataRows.json(jdbc, userId,
                "FROM saved_payment_methods r WHERE r.user_id = :id", "r.created_at, r.id",
                "details_encrypted", "code_hash", "user_id"));
        out.json("auto-cashout.json", PersonalDataRows.json(jdbc, userId,
                "FROM auto_cashout_config r WHERE r.user_id = :id", null, "user_id"));
    }

    @Override
    public Optional<ErasureBlocker> erasureBlocker(UUID userId) {
        boolean inFlight = jdbc.sql("SELECT EXISTS (SELECT 1 FROM cashout_requests WHERE user_id = :id AND status IN "
                + IN_FLIGHT + ")").param("id", userId).query(Boolean.class).single();
        return inFlight ? Optional.of(new ErasureBlocker("cashout_pending",
                "a cash-out of this account is still in progress; the account can be deleted once it is paid, "
                        + "rejected or cancelled")) : Optional.empty();
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        UUID id = subject.userId();
        jdbc.sql("""
                        UPDATE cashout_requests SET payment_details_encrypted = :empty, payment_details_masked = '[erased]'
                        WHERE user_id = :id AND payment_details_masked <> '[erased]'""")
                .param("empty", cipher.encrypt("{}", id.toString())).param("id", id).update();
        jdbc.sql("DELETE FROM auto_cashout_config WHERE user_id = :id").param("id", id).update();
        jdbc.sql("""
                        UPDATE cashout_requests SET saved_payment_method_id = NULL
                        WHERE user_id = :id AND saved_payment_method_id IS NOT NULL""").param("id", id).update();
        jdbc.sql("DELETE FROM saved_payment_methods WHERE user_id = :id").param("id", id).update();
    }
}
