package io.iploop.server.usage.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Usage of an account (docs/privacy.md): daily totals (aggregates of moved rows plus the retained
 * rows) and the retained per-request rows, both CSV; the rows are streamed from a database cursor
 * (1,000 at a time), never loaded whole. Erasure removes what identifies browsing (target host,
 * session name, error text) from the per-request rows; bytes, times and countries stay, as billing
 * and node earnings were computed from them. Thread-safe.
 */
@Component
class UsagePersonalData implements PersonalData {

    private static final List<String> ROW_HEADER = List.of("id", "started_at", "ended_at", "api_key_id", "sub_user_id",
            "node_id", "session_id", "proxy_type", "target_host", "target_port", "target_country", "target_city",
            "bytes_downloaded", "bytes_uploaded", "request_count", "success", "http_status", "error_message");

    private final JdbcClient jdbc;
    private final JdbcTemplate cursor;

    UsagePersonalData(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.cursor = new JdbcTemplate(dataSource);
        this.cursor.setFetchSize(1_000);
    }

    @Override
    public String feature() {
        return "usage";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.csv("daily.csv", List.of("day", "records", "request_count", "bytes_downloaded", "bytes_uploaded",
                "success_count"), rows -> jdbc.sql("""
                        SELECT day, sum(records), sum(request_count), sum(bytes_downloaded), sum(bytes_uploaded),
                               sum(success_count)
                        FROM (SELECT day, records, request_count, bytes_downloaded, bytes_uploaded, success_count
                              FROM usage_daily WHERE user_id = :id
                              UNION ALL
                              SELECT (started_at AT TIME ZONE 'UTC')::date, 1, request_count, bytes_downloaded,
                                     bytes_uploaded, CASE WHEN success THEN 1 ELSE 0 END
                              FROM usage_records WHERE user_id = :id) t
                        GROUP BY day ORDER BY day""")
                .param("id", userId)
                .query(rs -> {
                    rows.row(rs.getObject(1, java.time.LocalDate.class), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6));
                }));
        out.csv("requests.csv", ROW_HEADER, rows -> cursor.query("""
                        SELECT id, started_at, ended_at, api_key_id, sub_user_id, node_id, session_id, proxy_type,
                               target_host, target_port, target_country, target_city, bytes_downloaded, bytes_uploaded,
                               request_count, success, http_status, error_message
                        FROM usage_records WHERE user_id = ? ORDER BY started_at, id""",
                rs -> {
                    Object[] values = new Object[ROW_HEADER.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = rs.getObject(i + 1);
                    }
                    rows.row(values);
                }, userId));
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        jdbc.sql("""
                        UPDATE usage_records SET target_host = '[erased]', session_id = NULL, error_message = NULL
                        WHERE user_id = :id AND (target_host <> '[erased]' OR session_id IS NOT NULL OR error_message IS NOT NULL)""")
                .param("id", subject.userId()).update();
    }
}
