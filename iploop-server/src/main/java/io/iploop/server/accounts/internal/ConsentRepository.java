package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.PrivacyService.Consent;
import io.iploop.server.accounts.PrivacyService.PolicyVersions;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code account_consents} (docs/privacy.md#consent) and the current policy versions, from
 * {@code iploop.privacy.terms-version} and {@code iploop.privacy.privacy-policy-version}. Thread-safe.
 */
@Repository
class ConsentRepository {

    private final JdbcClient jdbc;
    private final PolicyVersions versions;

    ConsentRepository(JdbcClient jdbc, @Value("${iploop.privacy.terms-version:2026-12-06}") String terms,
            @Value("${iploop.privacy.privacy-policy-version:2026-12-06}") String privacyPolicy) {
        this.jdbc = jdbc;
        this.versions = new PolicyVersions(terms, privacyPolicy);
    }

    PolicyVersions versions() {
        return versions;
    }

    /** Records acceptance of the current terms and privacy policy at {@code at} from {@code ip} (null when unknown). */
    void recordSignupConsents(UUID userId, Instant at, @Nullable String ip) {
        for (String[] doc : new String[][] {{"terms", versions.terms()}, {"privacy_policy", versions.privacyPolicy()}}) {
            jdbc.sql("""
                            INSERT INTO account_consents (user_id, document, version, accepted_at, ip_address)
                            VALUES (:userId, :document, :version, :at, CAST(:ip AS inet))""")
                    .param("userId", userId).param("document", doc[0]).param("version", doc[1])
                    .param("at", java.sql.Timestamp.from(at)).param("ip", ip).update();
        }
    }

    List<Consent> consents(UUID userId) {
        return jdbc.sql("""
                        SELECT document, version, accepted_at, host(ip_address) AS ip
                        FROM account_consents WHERE user_id = :userId ORDER BY accepted_at, id""")
                .param("userId", userId)
                .query((rs, n) -> new Consent(rs.getString("document"), rs.getString("version"),
                        rs.getTimestamp("accepted_at").toInstant(), rs.getString("ip")))
                .list();
    }

    /**
     * Claims the export slot: true and stamps {@code now} when the last export is older than
     * {@code interval} (or none), false otherwise. Atomic (one UPDATE).
     */
    boolean claimExport(UUID userId, Instant now, java.time.Duration interval) {
        return jdbc.sql("""
                        UPDATE users SET last_data_export_at = :now
                        WHERE id = :id AND (last_data_export_at IS NULL OR last_data_export_at <= :since)""")
                .param("now", java.sql.Timestamp.from(now)).param("since", java.sql.Timestamp.from(now.minus(interval)))
                .param("id", userId).update() == 1;
    }

    /** When the account last exported its data; the epoch when never. */
    Instant lastExport(UUID userId) {
        return jdbc.sql("SELECT coalesce(last_data_export_at, 'epoch') FROM users WHERE id = :id").param("id", userId)
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).optional().orElse(Instant.EPOCH);
    }
}
