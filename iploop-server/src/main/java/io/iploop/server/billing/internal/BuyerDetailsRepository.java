package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingDetails;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code billing_buyer_details}. Joins the caller's transaction. Thread-safe. */
@Repository
class BuyerDetailsRepository {

    private final JdbcClient jdbc;

    BuyerDetailsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<BillingDetails> find(UUID userId) {
        return jdbc.sql("SELECT country, vat_id, company, address FROM billing_buyer_details WHERE user_id = :user")
                .param("user", userId)
                .query((rs, n) -> new BillingDetails(rs.getString("country").strip(), rs.getString("vat_id"),
                        rs.getString("company"), rs.getString("address")))
                .optional();
    }

    /**
     * Saves the details; the VIES check starts over: {@code pending} for an EU VAT id (checked by
     * {@link VatIdVerification}), none otherwise.
     */
    void save(UUID userId, BillingDetails details) {
        String vies = details.vatId() != null && VatRules.EU.contains(details.country()) ? "pending" : null;
        jdbc.sql("""
                INSERT INTO billing_buyer_details (user_id, country, vat_id, company, address, vies_status)
                VALUES (:user, :country, :vatId, :company, :address, :vies)
                ON CONFLICT (user_id) DO UPDATE SET country = EXCLUDED.country, vat_id = EXCLUDED.vat_id,
                    company = EXCLUDED.company, address = EXCLUDED.address, updated_at = now(),
                    vies_status = EXCLUDED.vies_status, vies_name = NULL, vies_address = NULL,
                    vies_checked_at = NULL, vies_consultation_number = NULL, vies_message = NULL""")
                .param("user", userId).param("country", details.country()).param("vatId", details.vatId())
                .param("company", details.company()).param("address", details.address()).param("vies", vies)
                .update();
    }

    /** The VIES check of the user's VAT id; empty without details or without an EU VAT id. */
    Optional<ViesCheck> vies(UUID userId) {
        return jdbc.sql("""
                SELECT vies_status, vies_name, vies_address, vies_checked_at, vies_consultation_number, vies_message
                FROM billing_buyer_details WHERE user_id = :user AND vies_status IS NOT NULL""")
                .param("user", userId)
                .query((rs, n) -> new ViesCheck(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant(), rs.getString(5),
                        rs.getString(6)))
                .optional();
    }

    /**
     * Stores a VIES answer for {@code vatId}; nothing when the user has saved another VAT id since.
     *
     * @return whether it was stored
     */
    boolean saveVies(UUID userId, String vatId, ViesCheck check) {
        return jdbc.sql("""
                UPDATE billing_buyer_details SET vies_status = :status, vies_name = :name, vies_address = :address,
                    vies_checked_at = :at, vies_consultation_number = :number, vies_message = :message
                WHERE user_id = :user AND vat_id = :vatId AND vies_status IS NOT NULL""")
                .param("user", userId).param("vatId", vatId).param("status", check.status())
                .param("name", cut(check.name(), 500)).param("address", cut(check.address(), 1000))
                .param("at", check.checkedAt() == null ? null : java.sql.Timestamp.from(check.checkedAt()))
                .param("number", cut(check.consultationNumber(), 100)).param("message", cut(check.message(), 300))
                .update() == 1;
    }

    /** Users whose VAT id waits for VIES ({@code pending} or {@code unavailable}), the longest waiting first. */
    List<UUID> awaitingVies(int limit) {
        return jdbc.sql("""
                SELECT user_id FROM billing_buyer_details WHERE vies_status IN ('pending', 'unavailable')
                ORDER BY coalesce(vies_checked_at, updated_at) LIMIT :limit""")
                .param("limit", limit).query(UUID.class).list();
    }

    private static @Nullable String cut(@Nullable String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
