// PostgreSQL backend CPU per usage record, the gateway's two statement forms side by side (iploop-bench/PROFILE.md, round 4):
// before, one INSERT per record in a JDBC batch; after, one INSERT … SELECT FROM unnest(arrays) per batch.
// Needs a scratch database holding usage_records as the migrations leave it (with users, api_keys and nodes for
// its foreign keys and one row each with the ids below), and runs on the machine of that PostgreSQL (it reads the
// backend's /proc/<pid>/stat):
//   java -cp postgresql-42.7.14.jar iploop-bench/scripts/PgInsertBench.java <records per batch> <batches> [jdbc-url]
import java.nio.file.*;
import java.sql.*;
import java.time.*;
import java.util.*;

/** PostgreSQL backend CPU per usage record: per-record batched INSERTs (before) vs one unnest INSERT per batch (after). */
public class PgInsertBench {
    static final String OLD = """
        INSERT INTO usage_records (id, user_id, api_key_id, node_id, session_id, bytes_downloaded, bytes_uploaded, request_count,
          target_country, target_city, target_host, proxy_type, success, error_message, started_at, ended_at, http_status,
          target_port, sub_user_id, pool_port) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING""";
    static final String NEW = """
        INSERT INTO usage_records (id, user_id, api_key_id, node_id, session_id, bytes_downloaded, bytes_uploaded, request_count,
          target_country, target_city, target_host, proxy_type, success, error_message, started_at, ended_at, http_status,
          target_port, sub_user_id, pool_port)
        SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::bigint[], ?::bigint[], ?::integer[], ?::text[],
          ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::smallint[], ?::integer[],
          ?::uuid[], ?::integer[]) ON CONFLICT (id) DO NOTHING RETURNING id""";
    static final UUID U = UUID.fromString("11111111-1111-1111-1111-111111111111"), K = UUID.fromString("22222222-2222-2222-2222-222222222222"),
        N = UUID.fromString("33333333-3333-3333-3333-333333333333");

    static long ticks(int pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    public static void main(String[] a) throws Exception {
        int batch = Integer.parseInt(a[0]), batches = Integer.parseInt(a[1]);
        try (Connection c = DriverManager.getConnection(a.length > 2 ? a[2] : "jdbc:postgresql://127.0.0.1:5432/h10_scratch", "postgres", "")) {
            c.setAutoCommit(false);
            int pid;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) { rs.next(); pid = rs.getInt(1); }
            c.commit();
            for (int round = 0; round < 3; round++) {
                for (String mode : List.of("old", "new")) {
                    long t0 = ticks(pid), w0 = System.nanoTime();
                    for (int b = 0; b < batches; b++) {
                        if (mode.equals("old")) oldBatch(c, batch); else newBatch(c, batch);
                        c.commit();
                    }
                    long t1 = ticks(pid), w1 = System.nanoTime();
                    System.out.printf("round %d %s: batch %d, backend CPU %.1f µs per record, wall %.1f µs per record%n", round, mode, batch,
                        (t1 - t0) * 10_000.0 / (batch * batches), (w1 - w0) / 1000.0 / (batch * batches));
                }
            }
        }
    }

    static void oldBatch(Connection c, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OLD)) {
            for (int i = 0; i < n; i++) {
                Instant t = Instant.now();
                ps.setObject(1, UUID.randomUUID()); ps.setObject(2, U); ps.setObject(3, K, Types.OTHER); ps.setObject(4, N, Types.OTHER);
                ps.setString(5, null); ps.setLong(6, 1024); ps.setLong(7, 200); ps.setInt(8, 1); ps.setString(9, "US"); ps.setString(10, null);
                ps.setString(11, "127.0.0.1"); ps.setString(12, "http"); ps.setBoolean(13, true); ps.setString(14, null);
                ps.setObject(15, OffsetDateTime.ofInstant(t, ZoneOffset.UTC)); ps.setObject(16, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
                ps.setObject(17, (short) 200, Types.SMALLINT); ps.setObject(18, 28190, Types.INTEGER); ps.setObject(19, null, Types.OTHER);
                ps.setObject(20, null, Types.INTEGER);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static void newBatch(Connection c, int n) throws SQLException {
        String[][] col = new String[20][n];
        for (int i = 0; i < n; i++) {
            String t = Instant.now().toString();
            col[0][i] = UUID.randomUUID().toString(); col[1][i] = U.toString(); col[2][i] = K.toString(); col[3][i] = N.toString();
            col[5][i] = "1024"; col[6][i] = "200"; col[7][i] = "1"; col[8][i] = "US"; col[10][i] = "127.0.0.1"; col[11][i] = "http";
            col[12][i] = "true"; col[14][i] = t; col[15][i] = t; col[16][i] = "200"; col[17][i] = "28190";
        }
        try (PreparedStatement ps = c.prepareStatement(NEW)) {
            for (int k = 0; k < 20; k++) ps.setArray(k + 1, c.createArrayOf("text", col[k]));
            try (ResultSet rs = ps.executeQuery()) { while (rs.next()) { } }
        }
    }
}
