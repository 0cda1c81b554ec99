package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingDetails;
import java.util.Optional;
import java.util.UUID;
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

    void save(UUID userId, BillingDetails details) {
        jdbc.sql("""
                INSERT INTO billing_buyer_details (user_id, country, vat_id, company, address)
                VALUES (:user, :country, :vatId, :company, :address)
                ON CONFLICT (user_id) DO UPDATE SET country = EXCLUDED.country, vat_id = EXCLUDED.vat_id,
                    company = EXCLUDED.company, address = EXCLUDED.address, updated_at = now()""")
                .param("user", userId).param("country", details.country()).param("vatId", details.vatId())
                .param("company", details.company()).param("address", details.address()).update();
    }
}
