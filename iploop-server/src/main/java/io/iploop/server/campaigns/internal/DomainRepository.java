package io.iploop.server.campaigns.internal;

import static io.iploop.server.campaigns.internal.ProjectRepository.instant;
import static io.iploop.server.campaigns.internal.ProjectRepository.nonNull;
import static io.iploop.server.campaigns.internal.ProjectRepository.utc;

import io.iploop.server.campaigns.CampaignDomain;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code campaign_domains}; queries on an account's claims take its id. Thread-safe. */
@Repository
class DomainRepository {

    private static final String COLUMNS = """
            id, user_id, domain, token, method, verified_at, last_checked_at, last_error, lapsed_at, created_at""";

    private final JdbcClient jdbc;

    DomainRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    int countByUser(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM campaign_domains WHERE user_id = :u").param("u", userId)
                .query(Integer.class).single();
    }

    List<CampaignDomain> list(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_domains WHERE user_id = :u ORDER BY created_at, domain")
                .param("u", userId).query(DomainRepository::domain).list();
    }

    List<CampaignDomain> verified(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_domains WHERE user_id = :u AND verified_at IS NOT NULL")
                .param("u", userId).query(DomainRepository::domain).list();
    }

    /** Every verified claim of every account, for the daily re-check. */
    List<CampaignDomain> allVerified() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_domains WHERE verified_at IS NOT NULL ORDER BY id")
                .query(DomainRepository::domain).list();
    }

    Optional<CampaignDomain> find(UUID userId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_domains WHERE user_id = :u AND id = :id")
                .param("u", userId).param("id", id).query(DomainRepository::domain).optional();
    }

    void insert(UUID id, UUID userId, String domain, String token) {
        jdbc.sql("INSERT INTO campaign_domains (id, user_id, domain, token) VALUES (:id, :u, :d, :t)")
                .param("id", id).param("u", userId).param("d", domain).param("t", token).update();
    }

    void markVerified(UUID id, String method, Instant now) {
        jdbc.sql("""
                UPDATE campaign_domains SET method = :m, verified_at = COALESCE(verified_at, :now), last_checked_at = :now,
                       last_error = NULL, failures = 0, lapsed_at = NULL
                WHERE id = :id""")
                .param("id", id).param("m", method).param("now", utc(now)).update();
    }

    /** Records a failed check; returns the consecutive failures now counted. */
    int markFailed(UUID id, String error, Instant now) {
        return jdbc.sql("""
                UPDATE campaign_domains SET last_checked_at = :now, last_error = :e, failures = failures + 1
                WHERE id = :id RETURNING failures""")
                .param("id", id).param("e", error).param("now", utc(now)).query(Integer.class).single();
    }

    void lapse(UUID id, Instant now) {
        jdbc.sql("UPDATE campaign_domains SET verified_at = NULL, lapsed_at = :now WHERE id = :id")
                .param("id", id).param("now", utc(now)).update();
    }

    boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM campaign_domains WHERE user_id = :u AND id = :id")
                .param("u", userId).param("id", id).update() > 0;
    }

    private static CampaignDomain domain(ResultSet rs, int n) throws SQLException {
        @Nullable String method = rs.getString("method");
        return new CampaignDomain(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class),
                rs.getString("domain"), rs.getString("token"), method, instant(rs, "verified_at"),
                instant(rs, "last_checked_at"), rs.getString("last_error"), instant(rs, "lapsed_at"),
                nonNull(instant(rs, "created_at")));
    }
}
