package io.iploop.bench;

import io.iploop.server.usage.UsageAnalyticsQueries;
import io.iploop.server.usage.UsageAnalyticsQueries.AnalyticsQuery;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Usage analytics at scale (performance numbers live in {@code iploop-bench}, never in timed tests:
 * docs/testing.md#performance-numbers): creates a
 * fresh PostgreSQL database, applies the server's Flyway migrations (so the benchmark measures the
 * product's indexes), bulk-loads synthetic {@code usage_records} and times every analytics query
 * the usage feature runs ({@link UsageAnalyticsQueries}, its published query API) for one ordinary
 * and one heavy user, with {@code EXPLAIN (ANALYZE, BUFFERS)} and as a warm median of the
 * repository call itself. Prints a Markdown table. Run by {@code usage-analytics-bench.sh}, never
 * by {@code ./mvnw verify}.
 *
 * <p>Data: {@code --users} users with two API keys each; one row in ten belongs to the heavy user
 * (user 0), the rest is spread evenly; {@code started_at} uniform over the last 365 days; 500
 * target hosts with a skewed popularity; 20 countries plus 30 % untargeted; HTTP status 200
 * (70 %), 404, 301, 500, or null (tunnels, 10 %).
 */
public final class UsageAnalyticsBench {

    private UsageAnalyticsBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        String server = opt.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/");
        String user = opt.getOrDefault("user", "postgres");
        String db = opt.getOrDefault("db", "iploop_usage_bench");
        long rows = Long.parseLong(opt.getOrDefault("rows", "10000000"));
        int users = Integer.parseInt(opt.getOrDefault("users", "1000"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "5"));
        boolean load = !opt.containsKey("skip-load");

        if (load) {
            try (Connection c = DriverManager.getConnection(server + "postgres", user, "");
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db);
                s.execute("CREATE DATABASE " + db);
            }
        }
        SingleConnectionDataSource ds = new SingleConnectionDataSource(server + db, user, "", true);
        if (load) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            load(ds, rows, users);
        }
        UsageAnalyticsQueries analytics = UsageAnalyticsQueries.over(ds);
        JdbcClient jdbc = JdbcClient.create(ds);
        long total = jdbc.sql("SELECT count(*) FROM usage_records").query(Long.class).single();
        System.out.printf("%n%,d usage_records, %,d users; table %s, indexes %s%n%n", total,
                jdbc.sql("SELECT count(*) FROM users").query(Long.class).single(),
                jdbc.sql("SELECT pg_size_pretty(pg_table_size('usage_records'))").query(String.class).single(),
                jdbc.sql("SELECT pg_size_pretty(pg_indexes_size('usage_records'))").query(String.class).single());
        System.out.println("| user | rows of user in period | period | query | plan (top nodes) | EXPLAIN ANALYZE ms | repository call ms (median of " + runs + ") |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int u : new int[] {1, 0}) {
            UUID userId = userUuid(jdbc, u);
            for (int days : new int[] {30, 365}) {
                Instant to = Instant.now();
                Instant from = to.minus(Duration.ofDays(days));
                long mine = jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = ? AND started_at >= now() - make_interval(days => ?)")
                        .params(userId, days).query(Long.class).single();
                for (AnalyticsQuery q : analytics.queries(userId, from, to)) {
                    Explained x = explain(jdbc, q);
                    double ms = median(q.execute(), runs);
                    System.out.printf(Locale.ROOT, "| %s | %,d | %dd | %s | %s | %.1f | %.1f |%n", u == 0 ? "heavy" : "ordinary",
                            mine, days, q.name(), x.plan(), x.executionMs(), ms);
                }
            }
        }
    }

    private record Explained(String plan, double executionMs) {}

    private static Explained explain(JdbcClient jdbc, AnalyticsQuery q) {
        List<String> lines = jdbc.sql("EXPLAIN (ANALYZE, BUFFERS) " + q.sql()).params(q.params()).query(String.class).list();
        double ms = lines.stream().filter(l -> l.startsWith("Execution Time:"))
                .mapToDouble(l -> Double.parseDouble(l.replaceAll("[^0-9.]", ""))).findFirst().orElse(Double.NaN);
        List<String> nodes = new ArrayList<>();
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("->")) {
                t = t.substring(2).strip();
            } else if (!l.equals(lines.getFirst())) {
                continue;
            }
            nodes.add(t.replaceAll("\\s*\\(cost=.*", "").replaceAll(" on usage_records(?=\\s|$)", "").replaceAll(" using ", " "));
        }
        return new Explained(String.join(" → ", nodes.subList(0, Math.min(4, nodes.size()))), ms);
    }

    private static double median(Runnable call, int runs) {
        call.run(); // warm
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    private static UUID userUuid(JdbcClient jdbc, int n) {
        return jdbc.sql("SELECT md5('user' || ?)::uuid").param(n).query(UUID.class).single();
    }

    /**
     * Users and keys, then the records with the secondary indexes dropped and FK triggers off
     * (session_replication_role = replica), then the indexes rebuilt exactly as the migrations
     * defined them, then VACUUM ANALYZE.
     */
    private static void load(SingleConnectionDataSource ds, long rows, int users) throws SQLException {
        try (Statement s = ds.getConnection().createStatement()) {
            long t0 = System.nanoTime();
            s.execute("""
                    INSERT INTO users (id, customer_id, email, password_hash, first_name, last_name)
                    SELECT md5('user' || n)::uuid, 'cust_' || translate(substr(md5(n::text), 1, 12), '0189', 'wxyz'),
                           'bench' || n || '@example.com', 'x', 'Bench', 'User ' || n
                    FROM generate_series(0, %d) n""".formatted(users - 1));
            s.execute("""
                    INSERT INTO api_keys (id, user_id, key_hash, key_prefix, name)
                    SELECT md5('key' || n || '-' || k)::uuid, md5('user' || n)::uuid, encode(sha256(('k' || n || '-' || k)::bytea), 'hex'),
                           'iploop_0000000', 'key ' || k
                    FROM generate_series(0, %d) n, generate_series(0, 1) k""".formatted(users - 1));
            List<String> indexes = new ArrayList<>();
            try (var rs = s.executeQuery("""
                    SELECT indexname, indexdef FROM pg_indexes
                    WHERE tablename = 'usage_records' AND indexname <> 'usage_records_pkey'""")) {
                while (rs.next()) {
                    indexes.add(rs.getString(2));
                    System.out.println("index: " + rs.getString(2));
                }
            }
            for (String def : indexes) {
                s.execute("DROP INDEX " + def.replaceFirst("^CREATE (UNIQUE )?INDEX (\\S+) .*$", "$2"));
            }
            s.execute("SET session_replication_role = replica");
            long chunk = 1_000_000;
            for (long lo = 0; lo < rows; lo += chunk) {
                long hi = Math.min(rows, lo + chunk) - 1;
                s.execute("""
                        INSERT INTO usage_records (id, user_id, api_key_id, bytes_downloaded, bytes_uploaded, request_count,
                                                   target_country, target_host, proxy_type, success, error_message,
                                                   started_at, ended_at, http_status)
                        SELECT gen_random_uuid(), md5('user' || u)::uuid, md5('key' || u || '-' || (g %% 2))::uuid,
                               (random() * 2000000)::bigint, (random() * 20000)::bigint, 1 + (g %% 3),
                               CASE WHEN r1 < 0.3 THEN NULL
                                    ELSE (ARRAY['US','DE','GB','FR','NL','CA','JP','BR','IN','AU',
                                                'ES','IT','SE','PL','MX','KR','SG','ZA','TR','AR'])[1 + (g %% 20)] END,
                               'site' || floor(500 * power(random(), 3))::int || '.example.com',
                               CASE WHEN r2 < 0.1 THEN 'socks5' ELSE 'http' END,
                               r1 > 0.03, CASE WHEN r1 <= 0.03 THEN 'exit_timeout' END,
                               at, at + (random() * interval '5 seconds'),
                               CASE WHEN r2 < 0.1 THEN NULL WHEN r2 < 0.8 THEN 200 WHEN r2 < 0.9 THEN 404
                                    WHEN r2 < 0.95 THEN 301 ELSE 500 END
                        FROM (SELECT g, CASE WHEN g %% 10 = 0 THEN 0 ELSE 1 + (hashint8(g) & 2147483647) %% %d END AS u,
                                     random() AS r1, random() AS r2,
                                     now() - random() * interval '365 days' AS at
                              FROM generate_series(%d, %d) g) x""".formatted(users - 1, lo, hi));
                System.out.printf("loaded %,d rows (%.0f s)%n", hi + 1, (System.nanoTime() - t0) / 1e9);
            }
            s.execute("SET session_replication_role = origin");
            for (String def : indexes) {
                long t1 = System.nanoTime();
                s.execute(def);
                System.out.printf("built in %.0f s: %s%n", (System.nanoTime() - t1) / 1e9, def);
            }
            s.execute("VACUUM ANALYZE usage_records");
            System.out.printf("load done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("argument: " + a + " (expected: --name=value)");
            }
            int eq = a.indexOf('=');
            opt.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        return opt;
    }
}
