package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.AutoCashoutSettings;
import io.iploop.server.cashouts.CashoutMethod;
import io.iploop.server.cashouts.SavedPaymentMethod;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code saved_payment_methods} and {@code auto_cashout_config}; every query takes the user id. Thread-safe. */
@Repository
class PaymentMethodRepository {

    /** A stored method with the columns the view hides. */
    record Row(SavedPaymentMethod view, UUID userId, String detailsEncrypted, @Nullable String codeHash,
            @Nullable Instant codeExpiresAt, int codeAttempts) {}

    /** An enabled auto-cash-out with its method. */
    record AutoRow(UUID userId, BigDecimal thresholdUsd, @Nullable UUID paymentMethodId) {}

    private final JdbcClient jdbc;

    PaymentMethodRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, UUID userId, CashoutMethod method, @Nullable String label, String encrypted, String masked,
            boolean isDefault, String codeHash, Instant codeExpiresAt) {
        if (isDefault) {
            jdbc.sql("UPDATE saved_payment_methods SET is_default = FALSE WHERE user_id = :u").param("u", userId).update();
        }
        jdbc.sql("""
                        INSERT INTO saved_payment_methods (id, user_id, method, label, details_encrypted, details_masked,
                            is_default, code_hash, code_expires_at)
                        VALUES (:id, :u, :method, :label, :enc, :masked, :def, :hash, :exp)""")
                .param("id", id).param("u", userId).param("method", method.dbValue()).param("label", label)
                .param("enc", encrypted).param("masked", masked).param("def", isDefault).param("hash", codeHash)
                .param("exp", Timestamp.from(codeExpiresAt)).update();
    }

    List<SavedPaymentMethod> list(UUID userId) {
        return jdbc.sql("SELECT * FROM saved_payment_methods WHERE user_id = :u ORDER BY created_at, id")
                .param("u", userId).query(PaymentMethodRepository::map).list().stream().map(Row::view).toList();
    }

    /** The user's verified methods with their sealed details (linked-account evidence). */
    List<Row> verifiedRows(UUID userId) {
        return jdbc.sql("SELECT * FROM saved_payment_methods WHERE user_id = :u AND verified ORDER BY created_at, id")
                .param("u", userId).query(PaymentMethodRepository::map).list();
    }

    Optional<Row> find(UUID userId, UUID id, boolean forUpdate) {
        return jdbc.sql("SELECT * FROM saved_payment_methods WHERE id = :id AND user_id = :u"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .param("id", id).param("u", userId).query(PaymentMethodRepository::map).optional();
    }

    void codeAttemptFailed(UUID id) {
        jdbc.sql("UPDATE saved_payment_methods SET code_attempts = code_attempts + 1 WHERE id = :id")
                .param("id", id).update();
    }

    void verified(UUID id) {
        jdbc.sql("""
                UPDATE saved_payment_methods SET verified = TRUE, code_hash = NULL, code_expires_at = NULL
                WHERE id = :id""").param("id", id).update();
    }

    boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM saved_payment_methods WHERE id = :id AND user_id = :u")
                .param("id", id).param("u", userId).update() == 1;
    }

    Optional<AutoCashoutSettings> autoCashout(UUID userId) {
        return jdbc.sql("SELECT * FROM auto_cashout_config WHERE user_id = :u").param("u", userId)
                .query((rs, n) -> new AutoCashoutSettings(rs.getBoolean("enabled"), rs.getBigDecimal("threshold_usd"),
                        rs.getObject("payment_method_id", UUID.class), instant(rs.getTimestamp("last_auto_cashout_at"))))
                .optional();
    }

    void saveAutoCashout(UUID userId, boolean enabled, BigDecimal thresholdUsd, @Nullable UUID paymentMethodId) {
        jdbc.sql("""
                        INSERT INTO auto_cashout_config (user_id, enabled, threshold_usd, payment_method_id)
                        VALUES (:u, :enabled, :threshold, :pm)
                        ON CONFLICT (user_id) DO UPDATE SET enabled = EXCLUDED.enabled,
                            threshold_usd = EXCLUDED.threshold_usd, payment_method_id = EXCLUDED.payment_method_id,
                            updated_at = now()""")
                .param("u", userId).param("enabled", enabled).param("threshold", thresholdUsd)
                .param("pm", paymentMethodId).update();
    }

    /** Enabled auto-cash-outs, oldest user first. */
    List<AutoRow> enabledAutoCashouts() {
        return jdbc.sql("""
                        SELECT user_id, threshold_usd, payment_method_id FROM auto_cashout_config
                        WHERE enabled ORDER BY user_id""")
                .query((rs, n) -> new AutoRow(rs.getObject("user_id", UUID.class), rs.getBigDecimal("threshold_usd"),
                        rs.getObject("payment_method_id", UUID.class)))
                .list();
    }

    /** Locks the user's auto-cash-out row so two runs for the same user serialise. */
    void lockAutoCashout(UUID userId) {
        jdbc.sql("SELECT user_id FROM auto_cashout_config WHERE user_id = :u FOR UPDATE").param("u", userId)
                .query(UUID.class).optional();
    }

    void autoCashoutCreated(UUID userId) {
        jdbc.sql("UPDATE auto_cashout_config SET last_auto_cashout_at = now() WHERE user_id = :u")
                .param("u", userId).update();
    }

    private static Row map(ResultSet rs, int n) throws SQLException {
        SavedPaymentMethod view = new SavedPaymentMethod(rs.getObject("id", UUID.class),
                CashoutMethod.parse(rs.getString("method")).orElseThrow(), rs.getString("label"),
                rs.getString("details_masked"), rs.getBoolean("is_default"), rs.getBoolean("verified"),
                rs.getTimestamp("created_at").toInstant());
        return new Row(view, rs.getObject("user_id", UUID.class), rs.getString("details_encrypted"),
                rs.getString("code_hash"), instant(rs.getTimestamp("code_expires_at")), rs.getInt("code_attempts"));
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
