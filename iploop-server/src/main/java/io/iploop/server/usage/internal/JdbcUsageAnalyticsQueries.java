package io.iploop.server.usage.internal;

import io.iploop.server.usage.UsageAnalyticsQueries;
import io.iploop.server.usage.internal.UsageRepository.Dimension;
import io.iploop.server.usage.internal.UsageRepository.Query;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link UsageAnalyticsQueries} over {@link UsageRepository}'s own SQL. Public only so that
 * {@link UsageAnalyticsQueries#over} in the usage feature's API can create it; other features and
 * modules use that interface. Thread-safe if the data source is.
 */
public final class JdbcUsageAnalyticsQueries implements UsageAnalyticsQueries {

    private static final int DOMAIN_LIMIT = 20;
    private static final int RECENT_LIMIT = 100;

    private final UsageRepository repository;

    public JdbcUsageAnalyticsQueries(DataSource dataSource) {
        this.repository = new UsageRepository(new JdbcTemplate(dataSource), JdbcClient.create(dataSource));
    }

    @Override
    public List<AnalyticsQuery> queries(UUID userId, Instant from, Instant to) {
        List<AnalyticsQuery> out = new ArrayList<>();
        out.add(query("summary", UsageRepository.totalsQuery(userId, from, to),
                () -> repository.totals(userId, null, from, to)));
        for (Dimension d : Dimension.values()) {
            @Nullable Integer limit = d == Dimension.DOMAIN ? DOMAIN_LIMIT : null;
            out.add(query(d.name, UsageRepository.breakdownQuery(userId, from, to, d, limit),
                    () -> repository.breakdown(userId, null, from, to, d, limit)));
        }
        out.add(query("recent", UsageRepository.recentQuery(userId, from, to, RECENT_LIMIT),
                () -> repository.recent(userId, null, from, to, RECENT_LIMIT)));
        return out;
    }

    private static AnalyticsQuery query(String name, Query q, Runnable call) {
        return new AnalyticsQuery(name, q.sql(), q.params(), call);
    }
}
