package io.iploop.server.keys.internal;

import io.iploop.server.keys.IpAuthorisation;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code account_ip_authorisations} (docs/ip-authorised-access.md). Entries never overlap
 * (an exclusion constraint), so an address matches at most one row. Thread-safe.
 */
@Repository
class IpAuthorisationRepository {

    /** The account and default targeting that authorised an address. */
    record Match(UUID userId, String targeting) {}

    /** Text of a stored range as the customer wrote it: a single address without {@code /32} or {@code /128}. */
    private static final String IP = "CASE WHEN masklen(network) = CASE WHEN family(network) = 4 THEN 32 ELSE 128 END"
            + " THEN host(network) ELSE network::text END";

    private final JdbcClient jdbc;

    IpAuthorisationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<IpAuthorisation> list(UUID userId) {
        return jdbc.sql("SELECT " + IP + " AS ip, default_targeting FROM account_ip_authorisations"
                        + " WHERE user_id = :userId ORDER BY created_at, network")
                .param("userId", userId)
                .query((rs, n) -> new IpAuthorisation(rs.getString("ip"), rs.getString("default_targeting")))
                .list();
    }

    /** Another account's entry overlapping {@code ip} (as the customer wrote it), if any. */
    Optional<String> overlapOfAnother(UUID userId, String ip) {
        return jdbc.sql("SELECT " + IP + " FROM account_ip_authorisations"
                        + " WHERE network && CAST(:ip AS cidr) AND user_id <> :userId LIMIT 1")
                .param("ip", ip).param("userId", userId).query(String.class).optional();
    }

    /** Replaces the account's entries; the caller's transaction makes it all or none. */
    void replace(UUID userId, List<IpAuthorisation> entries) {
        jdbc.sql("DELETE FROM account_ip_authorisations WHERE user_id = :userId").param("userId", userId).update();
        for (IpAuthorisation e : entries) {
            // created_at increases through the list (statement time would tie): the listing keeps the order given.
            jdbc.sql("""
                            INSERT INTO account_ip_authorisations (user_id, network, default_targeting, created_at)
                            VALUES (:userId, CAST(:ip AS cidr), :targeting, clock_timestamp())""")
                    .param("userId", userId).param("ip", e.ip()).param("targeting", e.targeting()).update();
        }
    }

    /** The entry holding {@code client}: one lookup on the GiST index. */
    Optional<Match> find(InetAddress client) {
        return jdbc.sql("SELECT user_id, default_targeting FROM account_ip_authorisations WHERE network >>= CAST(:ip AS inet)")
                .param("ip", client.getHostAddress())
                .query((rs, n) -> new Match(rs.getObject("user_id", UUID.class), rs.getString("default_targeting")))
                .optional();
    }
}
