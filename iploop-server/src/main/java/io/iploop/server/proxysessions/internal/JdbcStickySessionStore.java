package io.iploop.server.proxysessions.internal;

import io.iploop.gateway.spi.StickySessionStore;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gateway's {@link StickySessionStore} (docs/product/proxy.md#sessions-across-restarts): the
 * embedded gateway's sticky-session pins in {@code proxy_sticky_sessions}, so a session keeps its
 * exit across a restart. Called only from the node hub's store thread (a batch a second at most),
 * never on the proxy path. The store unless {@code IPLOOP_REDIS_URL} is set ({@link
 * StickySessionStoreConfig}). Thread-safe.
 */
class JdbcStickySessionStore implements StickySessionStore {

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate tx;

    JdbcStickySessionStore(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.template = template;
        this.tx = tx;
    }

    @Override
    public List<StoredPin> load(Instant now) {
        return jdbc.sql("""
                        SELECT user_id, session_id, node_id, targeting, pinned_at, expires_at, lifetime_seconds
                        FROM proxy_sticky_sessions WHERE expires_at > :now""")
                .param("now", Timestamp.from(now))
                .query((rs, n) -> new StoredPin(rs.getObject("user_id", UUID.class), rs.getString("session_id"),
                        rs.getObject("node_id", UUID.class), rs.getString("targeting"),
                        rs.getTimestamp("pinned_at").toInstant(), rs.getTimestamp("expires_at").toInstant(),
                        Duration.ofSeconds(rs.getLong("lifetime_seconds"))))
                .list();
    }

    @Override
    public void save(List<StoredPin> pins) {
        // One batched statement in one transaction: all or none.
        tx.executeWithoutResult(status -> template.batchUpdate("""
                        INSERT INTO proxy_sticky_sessions (user_id, session_id, node_id, targeting, pinned_at, expires_at,
                            lifetime_seconds)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (user_id, session_id) DO UPDATE SET node_id = EXCLUDED.node_id,
                            targeting = EXCLUDED.targeting, pinned_at = EXCLUDED.pinned_at,
                            expires_at = EXCLUDED.expires_at, lifetime_seconds = EXCLUDED.lifetime_seconds""",
                pins, 500, (ps, p) -> {
                    ps.setObject(1, p.userId());
                    ps.setString(2, p.sessionId());
                    ps.setObject(3, p.nodeId());
                    ps.setString(4, p.targeting());
                    ps.setTimestamp(5, Timestamp.from(p.pinnedAt()));
                    ps.setTimestamp(6, Timestamp.from(p.expiresAt()));
                    ps.setLong(7, Math.max(1, p.lifetime().toSeconds()));
                }));
    }

    @Override
    public void purgeExpired(Instant now) {
        jdbc.sql("DELETE FROM proxy_sticky_sessions WHERE expires_at <= :now").param("now", Timestamp.from(now)).update();
    }
}
