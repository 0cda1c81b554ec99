package io.iploop.server.usage.internal;

import io.iploop.server.usage.NodeTraffic;
import io.iploop.server.usage.TargetTraffic;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.platform.v2.Paged;
import io.iploop.server.usage.PlatformUsage;
import io.iploop.server.usage.RecentUsage;
import io.iploop.server.usage.RecentUsageQuery;
import io.iploop.server.usage.UsageBreakdown;
import io.iploop.server.usage.UsageBucket;
import io.iploop.server.usage.UsageEntry;
import io.iploop.server.usage.UsageDeadLetterPage;
import io.iploop.server.usage.UsageException;
import io.iploop.server.usage.UsagePeriod;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import io.iploop.server.usage.internal.UsageRepository.Dimension;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/** The usage service over {@link UsageRepository}. Thread-safe. */
@Service
class DefaultUsageService implements UsageService {

    private static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1_000_000_000L);

    private final UsageRepository usage;
    private final ApiKeysService keys;
    private final UsageDeadLetterRepository deadLetters;
    private final JdbcUsageSink sink;

    DefaultUsageService(UsageRepository usage, ApiKeysService keys, UsageDeadLetterRepository deadLetters,
            JdbcUsageSink sink) {
        this.usage = usage;
        this.keys = keys;
        this.deadLetters = deadLetters;
        this.sink = sink;
    }

    @Override
    public long poolBytesSince(UUID userId, Instant since) {
        return usage.poolBytesSince(userId, since);
    }

    @Override
    public java.util.List<io.iploop.server.usage.PoolTraffic> poolTraffic(Instant from, Instant to, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1-10000)");
        }
        return usage.poolTraffic(from, to, limit);
    }

    @Override
    public void recordPoolUsage(java.util.List<io.iploop.gateway.spi.UsageRecord> records) {
        for (io.iploop.gateway.spi.UsageRecord r : records) {
            if (r.poolPort() == null) {
                throw new IllegalArgumentException("usage record " + r.id() + ": poolPort null (expected: a pool port)");
            }
        }
        if (!records.isEmpty()) {
            sink.write(records);
        }
    }

    @Override
    public UsageDeadLetterPage deadLetters(int page, int limit) {
        if (page < 1) {
            throw new UsageException(UsageException.Reason.INVALID_LIMIT, "page: " + page + " (expected: >= 1)", "page");
        }
        int rows = checkLimit(limit);
        return new UsageDeadLetterPage(deadLetters.page((int) Math.min(Integer.MAX_VALUE, (long) (page - 1) * rows), rows),
                page, rows, deadLetters.count());
    }

    /** The period's window {@code [from, to)}, ending now. */
    private record Window(UsagePeriod period, Instant from, Instant to) {
        static Window of(UsagePeriod period) {
            Instant to = Instant.now();
            return new Window(period, to.minus(period.duration()), to);
        }
    }

    @Override
    public UsageSummary summary(UUID userId, UsagePeriod period) {
        Window w = Window.of(period);
        UsageRepository.Totals t = usage.totals(userId, period.subUserId(), w.from(), w.to());
        long total = t.bytesUploaded() + t.bytesDownloaded();
        BigDecimal rate = t.streams() == 0 ? BigDecimal.ZERO.setScale(2)
                : BigDecimal.valueOf(t.successes() * 100L).divide(BigDecimal.valueOf(t.streams()), 2, RoundingMode.HALF_UP);
        return new UsageSummary(period.days(), w.from(), w.to(), t.bytesUploaded(), t.bytesDownloaded(), total,
                BigDecimal.valueOf(total).divide(BYTES_PER_GB, 3, RoundingMode.HALF_UP), t.requests(), t.streams(),
                t.successes(), t.streams() - t.successes(), rate, t.avgDurationMs());
    }

    @Override
    public List<TargetTraffic> trafficTo(String host, Instant from, Instant to) {
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from: " + from + " (expected: <= to " + to + ")");
        }
        return usage.trafficTo(host.strip(), from, to, 100);
    }

    @Override
    public java.util.Map<LocalDate, Long> nodeDailyBytes(UUID nodeId, LocalDate from, LocalDate to) {
        checkTrafficRange(from, to);
        return usage.nodeDailyBytes(nodeId, from.atStartOfDay(ZoneOffset.UTC).toInstant(),
                to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    private static void checkTrafficRange(LocalDate from, LocalDate to) {
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from: " + from + " (expected: <= to " + to + ")");
        }
        if (from.plusDays(MAX_TRAFFIC_DAYS).isBefore(to.plusDays(1))) {
            throw new IllegalArgumentException("to: " + to + " (expected: at most " + MAX_TRAFFIC_DAYS + " days from " + from + ")");
        }
    }

    @Override
    public List<NodeTraffic> nodeTraffic(UUID nodeId, LocalDate from, LocalDate to) {
        return nodeTrafficCustomers(nodeId, from, to).stream().map(io.iploop.server.usage.NodeTrafficCustomers::traffic)
                .toList();
    }

    @Override
    public List<io.iploop.server.usage.NodeTrafficCustomers> nodeTrafficCustomers(UUID nodeId, LocalDate from, LocalDate to) {
        checkTrafficRange(from, to);
        return usage.nodeTraffic(nodeId, from.atStartOfDay(ZoneOffset.UTC).toInstant(),
                to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), MAX_TRAFFIC_HOSTS_PER_DAY);
    }

    @Override
    public PlatformUsage platformUsage(Instant from, Instant to) {
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from: " + from + " (expected: <= to " + to + ")");
        }
        return usage.platformTotals(from, to);
    }

    @Override
    public UsageBreakdown daily(UUID userId, UsagePeriod period) {
        Window w = Window.of(period);
        List<String> dates = new ArrayList<>();
        LocalDate last = LocalDate.ofInstant(w.to(), ZoneOffset.UTC);
        for (LocalDate d = LocalDate.ofInstant(w.from(), ZoneOffset.UTC); !d.isAfter(last); d = d.plusDays(1)) {
            dates.add(d.toString());
        }
        return filled(userId, w, Dimension.DATE, dates);
    }

    @Override
    public UsageBreakdown hourly(UUID userId, UsagePeriod period) {
        List<String> hours = new ArrayList<>(24);
        for (int h = 0; h < 24; h++) {
            hours.add(Integer.toString(h));
        }
        return filled(userId, Window.of(period), Dimension.HOUR, hours);
    }

    @Override
    public UsageBreakdown byCountry(UUID userId, UsagePeriod period) {
        return breakdown(userId, Window.of(period), Dimension.COUNTRY, null);
    }

    @Override
    public UsageBreakdown bySubUser(UUID userId, UsagePeriod period) {
        return breakdown(userId, Window.of(period), Dimension.SUB_USER, null);
    }

    @Override
    public UsageBreakdown byKey(UUID userId, UsagePeriod period) {
        UsageBreakdown b = breakdown(userId, Window.of(period), Dimension.API_KEY, null);
        Map<String, String> names = keys.list(userId).stream()
                .collect(Collectors.toMap(k -> k.id().toString(), ApiKey::name));
        return new UsageBreakdown(b.days(), b.from(), b.to(), b.dimension(), b.buckets().stream()
                .map(k -> k.key() == null ? k : k.withLabel(names.get(k.key())))
                .toList());
    }

    @Override
    public UsageBreakdown statusCodes(UUID userId, UsagePeriod period) {
        return breakdown(userId, Window.of(period), Dimension.HTTP_STATUS, null);
    }

    @Override
    public UsageBreakdown topDomains(UUID userId, UsagePeriod period, int limit) {
        return breakdown(userId, Window.of(period), Dimension.DOMAIN, checkLimit(limit));
    }

    @Override
    public RecentUsage recent(UUID userId, UsagePeriod period, int limit) {
        Window w = Window.of(period);
        return new RecentUsage(period.days(), w.from(), w.to(), usage.recent(userId, period.subUserId(), w.from(), w.to(), checkLimit(limit)));
    }

    @Override
    public Paged<UsageEntry> recent(UUID userId, UsagePeriod period, RecentUsageQuery query) {
        if (query.page() < 1) {
            throw new UsageException(UsageException.Reason.INVALID_FILTER, "page: " + query.page() + " (expected: >= 1)",
                    "page");
        }
        int limit = checkLimit(query.limit());
        @Nullable String country = query.targetCountry();
        if (country != null) {
            if (!country.matches("[A-Za-z]{2}")) {
                throw new UsageException(UsageException.Reason.INVALID_FILTER,
                        "targetCountry: '" + country + "' (expected: ISO-3166 alpha-2, e.g. US)", "targetCountry");
            }
            country = country.toUpperCase(java.util.Locale.ROOT);
        }
        @Nullable String proxyType = query.proxyType();
        if (proxyType != null && !List.of("http", "https", "socks5").contains(proxyType)) {
            throw new UsageException(UsageException.Reason.INVALID_FILTER,
                    "proxyType: '" + proxyType + "' (expected: http, https or socks5)", "proxyType");
        }
        Window w = Window.of(period);
        UsageRepository.RecordFilter filter = new UsageRepository.RecordFilter(query.success(), country, proxyType,
                period.subUserId());
        long offset = (long) (query.page() - 1) * limit;
        return new Paged<>(usage.recent(userId, w.from(), w.to(), filter, query.oldestFirst(), offset, limit),
                usage.count(userId, w.from(), w.to(), filter));
    }

    private UsageBreakdown breakdown(UUID userId, Window w, Dimension dimension, @Nullable Integer limit) {
        return new UsageBreakdown(w.period().days(), w.from(), w.to(), dimension.name,
                usage.breakdown(userId, w.period().subUserId(), w.from(), w.to(), dimension, limit));
    }

    /** A breakdown with one bucket per key of {@code keys}, in that order, empty where nothing was used. */
    private UsageBreakdown filled(UUID userId, Window w, Dimension dimension, List<String> keys) {
        Map<String, UsageBucket> found = usage.breakdown(userId, w.period().subUserId(), w.from(), w.to(), dimension, null).stream()
                .collect(Collectors.toMap(b -> Objects.requireNonNull(b.key()), Function.identity()));
        return new UsageBreakdown(w.period().days(), w.from(), w.to(), dimension.name,
                keys.stream().map(k -> found.getOrDefault(k, UsageBucket.empty(k))).toList());
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new UsageException(UsageException.Reason.INVALID_LIMIT,
                    "limit: " + limit + " (expected: 1-" + MAX_LIMIT + ")", "limit");
        }
        return limit;
    }
}
