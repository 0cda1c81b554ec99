package io.iploop.server.usage;

import io.iploop.server.usage.internal.JdbcUsageAnalyticsQueries;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The usage analytics queries the dashboard and {@code /api/usage} run for one account and period,
 * published for measuring them outside the application ({@code iploop-bench}'s usage analytics
 * benchmark, {@code EXPLAIN ANALYZE} against a database of its own): each query's SQL text and
 * parameters, and a way to run it through the same repository method {@link UsageService} uses.
 * Not used by the application itself. Thread-safe if the data source is.
 */
public interface UsageAnalyticsQueries {

    /**
     * Queries over a database with the usage feature's tables (Flyway migrations applied).
     *
     * @param dataSource any JDBC data source of that database
     */
    static UsageAnalyticsQueries over(DataSource dataSource) {
        return new JdbcUsageAnalyticsQueries(dataSource);
    }

    /**
     * Every analytics query for the account and the period [from, to): {@code summary}, one
     * breakdown per dimension ({@code date}, {@code hour}, {@code country}, {@code api_key},
     * {@code http_status}, {@code domain} limited to 20 rows) and {@code recent} (100 rows), in
     * that order.
     */
    List<AnalyticsQuery> queries(UUID userId, Instant from, Instant to);

    /**
     * One analytics query. Immutable.
     *
     * @param name {@code summary}, a breakdown dimension's name, or {@code recent}
     * @param sql PostgreSQL text with named parameters ({@code :userId}, {@code :from}, …)
     * @param params the named parameters' values
     * @param execute runs the query through the repository method {@link UsageService} uses, mapping
     *     every row (what a timing should measure)
     */
    record AnalyticsQuery(String name, String sql, Map<String, Object> params, Runnable execute) {

        public AnalyticsQuery {
            params = Map.copyOf(params);
        }
    }
}
