package io.iploop.server.audit.internal;

import io.iploop.server.audit.AuditEntry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code audit_logs}: insert and read only, the table refuses updates. Thread-safe. */
@Repository
class AuditRepository {

    private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {};

    /** {@code :userId} null selects every account's entries (admins). */
    private static final String FILTER = """
            WHERE (CAST(:userId AS uuid) IS NULL OR user_id = :userId)
              AND (CAST(:action AS varchar) IS NULL OR action = :action)
              AND (CAST(:resourceType AS varchar) IS NULL OR resource_type = :resourceType)""";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(@Nullable UUID userId, String action, @Nullable String resourceType, @Nullable String resourceId,
            Map<String, String> details, @Nullable String ip, @Nullable String userAgent) {
        jdbc.sql("""
                        INSERT INTO audit_logs (user_id, action, resource_type, resource_id, details, ip_address,
                                                user_agent)
                        VALUES (:userId, :action, :resourceType, :resourceId, CAST(:details AS jsonb),
                                CAST(:ip AS inet), :userAgent)""")
                .param("userId", userId)
                .param("action", action)
                .param("resourceType", resourceType)
                .param("resourceId", resourceId)
                .param("details", json.writeValueAsString(details))
                .param("ip", ip)
                .param("userAgent", userAgent)
                .update();
    }

    /** One page of entries, newest first or (oldestFirst) oldest first, ties by id. */
    List<AuditEntry> find(@Nullable UUID userId, @Nullable String action, @Nullable String resourceType,
            boolean oldestFirst, long offset, int limit) {
        String direction = oldestFirst ? "ASC" : "DESC";
        return jdbc.sql("""
                        SELECT id, user_id, action, resource_type, resource_id, details::text AS details,
                               host(ip_address) AS ip, user_agent, created_at
                        FROM audit_logs
                        """ + FILTER + """

                        ORDER BY created_at %s, id %s
                        OFFSET :offset LIMIT :limit""".formatted(direction, direction))
                .param("userId", userId)
                .param("action", action)
                .param("resourceType", resourceType)
                .param("offset", offset)
                .param("limit", limit)
                .query(this::map)
                .list();
    }

    long count(@Nullable UUID userId, @Nullable String action, @Nullable String resourceType) {
        return jdbc.sql("SELECT count(*) FROM audit_logs " + FILTER)
                .param("userId", userId)
                .param("action", action)
                .param("resourceType", resourceType)
                .query(Long.class)
                .single();
    }

    private AuditEntry map(ResultSet rs, int row) throws SQLException {
        return new AuditEntry(
                rs.getLong("id"),
                rs.getObject("user_id", UUID.class),
                rs.getString("action"),
                rs.getString("resource_type"),
                rs.getString("resource_id"),
                json.readValue(rs.getString("details"), DETAILS),
                rs.getString("ip"),
                rs.getString("user_agent"),
                rs.getTimestamp("created_at").toInstant());
    }
}
