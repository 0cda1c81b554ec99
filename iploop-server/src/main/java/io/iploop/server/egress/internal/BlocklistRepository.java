package io.iploop.server.egress.internal;

import io.iploop.server.egress.BlocklistEntry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code egress_blocklist} table. Thread-safe. */
@Repository
class BlocklistRepository {

    private static final String COLUMNS = "id, host, cidr, port, reason, created_by, created_at";

    private final JdbcClient jdbc;

    BlocklistRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<BlocklistEntry> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM egress_blocklist ORDER BY created_at, id")
                .query((rs, n) -> map(rs)).list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM egress_blocklist").query(Long.class).single();
    }

    BlocklistEntry insert(@Nullable String host, @Nullable String cidr, @Nullable Integer port, String reason,
            UUID createdBy) {
        return jdbc.sql("INSERT INTO egress_blocklist (host, cidr, port, reason, created_by)"
                        + " VALUES (:host, :cidr, :port, :reason, :createdBy) RETURNING " + COLUMNS)
                .param("host", host).param("cidr", cidr).param("port", port).param("reason", reason)
                .param("createdBy", createdBy)
                .query((rs, n) -> map(rs)).single();
    }

    /** The deleted entry, or null if there was none. */
    @Nullable BlocklistEntry delete(UUID id) {
        return jdbc.sql("DELETE FROM egress_blocklist WHERE id = :id RETURNING " + COLUMNS)
                .param("id", id).query((rs, n) -> map(rs)).optional().orElse(null);
    }

    private static BlocklistEntry map(ResultSet rs) throws SQLException {
        return new BlocklistEntry(rs.getObject("id", UUID.class), rs.getString("host"), rs.getString("cidr"),
                rs.getObject("port", Integer.class), rs.getString("reason"), rs.getObject("created_by", UUID.class),
                rs.getTimestamp("created_at").toInstant());
    }
}
