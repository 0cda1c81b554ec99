package io.iploop.server.pool.internal;

import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolPortRange;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.pool.AdminToken;
import io.iploop.server.pool.CreatedAdminToken;
import io.iploop.server.pool.ImportMode;
import io.iploop.server.pool.ImportReport;
import io.iploop.server.pool.PoolException;
import io.iploop.server.pool.PoolPlan;
import io.iploop.server.pool.PoolService;
import io.iploop.server.pool.PoolSubscription;
import io.iploop.server.pool.PoolUpstreamView;
import io.iploop.server.pool.PoolUpstreamsChanged;
import io.iploop.server.pool.UpstreamSpec;
import io.iploop.server.usage.UsageService;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The pool's service (docs/upstream-pool.md). Port assignment: new upstreams take the lowest free
 * ports of the configured range ({@link IploopProperties.Pool#ports()}, {@code IPLOOP_POOL_PORTS},
 * default {@code 4000-4999}, the same range the gateway binds); known upstreams keep theirs. Imports and deletions are serialised by a
 * database lock, so two imports (two replicas, the CLI and a file change) never hand out one port
 * twice. Passwords are sealed with {@link PlatformSecrets#encrypt} (associated data
 * {@code pool_upstream:<port>}). Thread-safe.
 */
@Service
class DefaultPoolService implements PoolService {

    private static final Pattern PLAN_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final int MAX_TOKEN_DAYS = 366;

    private final PoolRepository repository;
    private final PlatformSecrets secrets;
    private final AuditService audit;
    private final UsageService usage;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final PoolPortRange range;

    DefaultPoolService(PoolRepository repository, PlatformSecrets secrets, AuditService audit, UsageService usage,
            ApplicationEventPublisher events, Clock clock, IploopProperties properties) {
        this.repository = repository;
        this.secrets = secrets;
        this.audit = audit;
        this.usage = usage;
        this.events = events;
        this.clock = clock;
        this.range = new PoolPortRange(properties.pool().firstPort(), properties.pool().lastPort());
    }

    /** The configured pool port range. */
    PoolPortRange range() {
        return range;
    }

    @Override
    @Transactional
    public ImportReport importText(@Nullable UUID actorId, String text, ImportMode mode) {
        UpstreamFileParser.Result parsed = UpstreamFileParser.parse(text);
        if (!parsed.ok()) {
            throw invalid(parsed.errors());
        }
        return importUpstreams(actorId, parsed.upstreams(), mode);
    }

    static PoolException invalid(List<UpstreamFileParser.LineError> errors) {
        StringBuilder b = new StringBuilder();
        b.append(errors.size()).append(errors.size() == 1 ? " bad line, nothing imported: " : " bad lines, nothing imported: ");
        int shown = Math.min(errors.size(), 50);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                b.append("; ");
            }
            b.append(errors.get(i));
        }
        if (errors.size() > shown) {
            b.append("; and ").append(errors.size() - shown).append(" more");
        }
        return new PoolException(PoolException.Reason.INVALID_UPSTREAMS, b.toString(), "line " + errors.getFirst().line());
    }

    @Override
    @Transactional
    public ImportReport importUpstreams(@Nullable UUID actorId, List<UpstreamSpec> upstreams, ImportMode mode) {
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < upstreams.size(); i++) {
            Integer first = firstIndex.putIfAbsent(upstreams.get(i).identity(), i);
            if (first != null) {
                throw new PoolException(PoolException.Reason.INVALID_UPSTREAMS, "upstreams[" + i
                        + "]: duplicate of upstreams[" + first + "], nothing imported", "upstreams[" + i + "]");
            }
        }
        repository.lockUpstreams();
        List<PoolRepository.UpstreamRow> stored = repository.upstreams();
        Map<String, PoolRepository.UpstreamRow> byIdentity = new HashMap<>();
        Set<Integer> used = new HashSet<>();
        for (PoolRepository.UpstreamRow r : stored) {
            byIdentity.put(identity(r), r);
            used.add(r.port());
        }
        List<PoolRepository.UpstreamRow> inserts = new ArrayList<>();
        List<PoolRepository.UpstreamRow> updates = new ArrayList<>();
        Set<Integer> kept = new HashSet<>();
        List<UpstreamSpec> fresh = new ArrayList<>();
        int unchanged = 0;
        for (UpstreamSpec spec : upstreams) {
            PoolRepository.UpstreamRow known = byIdentity.get(spec.identity());
            if (known == null) {
                fresh.add(spec);
                continue;
            }
            kept.add(known.port());
            String current = known.passwordSealed() == null ? null : secrets.decrypt(known.passwordSealed(), aad(known.port()));
            if (Objects.equals(current, spec.password())) {
                unchanged++;
            } else {
                updates.add(new PoolRepository.UpstreamRow(known.port(), known.scheme(), known.host(), known.upstreamPort(),
                        known.username(), seal(spec.password(), known.port()), known.updatedAt()));
            }
        }
        List<Integer> removed = new ArrayList<>();
        if (mode == ImportMode.REPLACE) {
            for (PoolRepository.UpstreamRow r : stored) {
                if (!kept.contains(r.port())) {
                    removed.add(r.port());
                    used.remove(r.port());
                }
            }
        }
        int next = range.first();
        for (UpstreamSpec spec : fresh) {
            while (next <= range.last() && used.contains(next)) {
                next++;
            }
            if (next > range.last()) {
                int free = (int) (fresh.size() - inserts.size());
                throw new PoolException(PoolException.Reason.POOL_PORTS_EXHAUSTED, free + " upstream(s) more than free ports in "
                        + range.first() + "-" + range.last() + ", nothing imported (remove upstreams, import with "
                        + "mode replace, or widen IPLOOP_POOL_PORTS)", "upstreams");
            }
            used.add(next);
            inserts.add(new PoolRepository.UpstreamRow(next, spec.scheme().urlScheme(), spec.host(), spec.upstreamPort(),
                    spec.username(), seal(spec.password(), next), clock.instant()));
        }
        repository.deleteUpstreams(removed);
        repository.updatePasswords(updates);
        repository.insertUpstreams(inserts);
        int total = stored.size() - removed.size() + inserts.size();
        ImportReport report = new ImportReport(inserts.size(), updates.size(), unchanged, removed.size(), total);
        audit.record(new AuditEvent(actorId, AuditAction.POOL_UPSTREAMS_IMPORTED, "pool_upstreams", null,
                Map.of("mode", mode.name().toLowerCase(java.util.Locale.ROOT), "added", String.valueOf(report.added()),
                        "updated", String.valueOf(report.updated()), "removed", String.valueOf(report.removed()),
                        "total", String.valueOf(total))));
        if (report.added() + report.updated() + report.removed() > 0) {
            events.publishEvent(new PoolUpstreamsChanged(report.added(), report.updated(), report.removed(), clock.instant()));
        }
        return report;
    }

    private static String identity(PoolRepository.UpstreamRow r) {
        return new UpstreamSpec(scheme(r.scheme()), r.host(), r.upstreamPort(), r.username(), null).identity();
    }

    static PoolUpstream.Scheme scheme(String s) {
        return "socks5".equals(s) ? PoolUpstream.Scheme.SOCKS5 : PoolUpstream.Scheme.HTTP;
    }

    static String aad(int port) {
        return "pool_upstream:" + port;
    }

    private @Nullable String seal(@Nullable String password, int port) {
        return password == null ? null : secrets.encrypt(password, aad(port));
    }

    /** Every upstream with its password unsealed: for the gateway and the goproxy hooks only. */
    List<PoolUpstream> upstreamsWithSecrets() {
        List<PoolUpstream> out = new ArrayList<>();
        for (PoolRepository.UpstreamRow r : repository.upstreams()) {
            out.add(new PoolUpstream(r.port(), scheme(r.scheme()), r.host(), r.upstreamPort(), r.username(),
                    r.passwordSealed() == null ? null : secrets.decrypt(r.passwordSealed(), aad(r.port()))));
        }
        return out;
    }

    /** The upstream of one pool port with its password unsealed, if any: for the goproxy hooks. */
    Optional<PoolUpstream> upstreamWithSecret(int port) {
        return repository.upstream(port).map(r -> new PoolUpstream(r.port(), scheme(r.scheme()), r.host(), r.upstreamPort(),
                r.username(), r.passwordSealed() == null ? null : secrets.decrypt(r.passwordSealed(), aad(r.port()))));
    }

    @Override
    public List<PoolUpstreamView> upstreams() {
        return repository.upstreams().stream()
                .map(r -> new PoolUpstreamView(r.port(), r.scheme(), r.host(), r.upstreamPort(), r.username(),
                        r.passwordSealed() != null, r.updatedAt()))
                .toList();
    }

    @Override
    @Transactional
    public void deleteUpstream(UUID actorId, int port) {
        repository.lockUpstreams();
        if (!repository.deleteUpstream(port)) {
            throw new PoolException(PoolException.Reason.UPSTREAM_NOT_FOUND, "no upstream on pool port " + port, "port");
        }
        audit.record(new AuditEvent(actorId, AuditAction.POOL_UPSTREAM_DELETED, "pool_upstream", String.valueOf(port), Map.of()));
        events.publishEvent(new PoolUpstreamsChanged(0, 0, 1, clock.instant()));
    }

    @Override
    public List<PoolPlan> plans() {
        return repository.plans();
    }

    @Override
    @Transactional
    public PoolPlan createPlan(UUID actorId, PoolPlan plan) {
        if (!PLAN_ID.matcher(plan.id()).matches()) {
            throw bad("id", "id: '" + plan.id() + "' (expected: 1-32 of a-z, 0-9, _ and -, starting with a letter or digit)");
        }
        if (plan.name().isBlank() || plan.name().length() > 100) {
            throw bad("name", "name: blank or longer than 100 characters");
        }
        if (plan.maxThreads() < 0 || plan.requestsPerSecond() < 0 || plan.bytesPerSecondPerSocket() < 0
                || plan.bytesPerSecondTotal() < 0 || plan.connectionsPerIp() < 0 || plan.requestsPerSecondPerIp() < 0
                || plan.monthlyQuotaBytes() < 0 || plan.validityDays() < 0) {
            throw bad("limits", "limits: negative value (expected: >= 0, 0 = unlimited)");
        }
        if (plan.price().signum() < 0 || plan.price().scale() > 2 || plan.price().compareTo(new BigDecimal("9999999999")) > 0) {
            throw bad("price", "price: " + plan.price() + " (expected: >= 0 with at most 2 decimals)");
        }
        if (!"USD".equals(plan.currency())) {
            throw bad("currency", "currency: " + plan.currency() + " (expected: USD)");
        }
        if (!repository.insertPlan(plan)) {
            throw new PoolException(PoolException.Reason.PLAN_EXISTS, "pool plan " + plan.id() + " exists already", "id");
        }
        audit.record(new AuditEvent(actorId, AuditAction.POOL_PLAN_CREATED, "pool_plan", plan.id(),
                Map.of("name", plan.name(), "price", plan.price().toPlainString())));
        return repository.plan(plan.id()).orElseThrow();
    }

    @Override
    @Transactional
    public PoolSubscription grant(UUID actorId, UUID userId, String planId, String ports, @Nullable Instant expiresAt) {
        PoolPlan plan = repository.plan(planId).orElseThrow(() -> new PoolException(PoolException.Reason.PLAN_NOT_FOUND,
                "unknown pool plan '" + planId + "' (expected one of: "
                        + String.join(", ", repository.plans().stream().map(PoolPlan::id).toList()) + ")", "planId"));
        String normalised;
        try {
            normalised = PortSpec.normalise(ports);
        } catch (IllegalArgumentException e) {
            throw bad("ports", "ports: " + e.getMessage());
        }
        Instant now = clock.instant();
        Instant end = expiresAt;
        if (end == null && plan.validityDays() > 0) {
            end = now.plus(plan.validityDays(), ChronoUnit.DAYS);
        }
        if (end != null && !end.isAfter(now)) {
            throw bad("expiresAt", "expiresAt: " + end + " (expected: in the future)");
        }
        PoolSubscription s = repository.upsertSubscription(userId, plan.id(), normalised, now, end);
        audit.record(new AuditEvent(actorId, AuditAction.POOL_ACCESS_GRANTED, "user", userId.toString(),
                Map.of("plan", plan.id(), "ports", normalised, "expiresAt", end == null ? "never" : end.toString())));
        return s;
    }

    @Override
    public Optional<PoolSubscription> subscription(UUID userId) {
        return repository.subscription(userId);
    }

    @Override
    public List<PoolSubscription> subscriptions() {
        return repository.subscriptions();
    }

    @Override
    @Transactional
    public PoolSubscription setBanned(UUID actorId, UUID userId, boolean banned, @Nullable String reason) {
        if (banned && (reason == null || reason.isBlank() || reason.length() > 500)) {
            throw bad("reason", "reason: required, at most 500 characters");
        }
        PoolSubscription s = repository.setBanned(userId, banned ? clock.instant() : null, banned ? reason : null)
                .orElseThrow(() -> new PoolException(PoolException.Reason.NOT_FOUND, "no pool subscription for this account", "userId"));
        audit.record(new AuditEvent(actorId, banned ? AuditAction.POOL_ACCESS_BANNED : AuditAction.POOL_ACCESS_UNBANNED,
                "user", userId.toString(), banned ? Map.of("reason", reason) : Map.of()));
        return s;
    }

    @Override
    public @Nullable PoolGrant access(UUID userId) {
        Optional<PoolSubscription> found = repository.subscription(userId);
        if (found.isEmpty() || found.get().bannedAt() != null) {
            return null;
        }
        PoolSubscription s = found.get();
        PoolPlan plan = repository.plan(s.planId()).orElse(null);
        if (plan == null) {
            return null;
        }
        long remaining = AccountLimits.UNLIMITED_BYTES;
        if (plan.monthlyQuotaBytes() > 0) {
            Instant since = currentPeriodStart(s.periodStart(), clock.instant());
            remaining = plan.monthlyQuotaBytes() - usage.poolBytesSince(userId, since);
        }
        return new PoolGrant(PortSpec.parse(s.ports()), plan.maxThreads(), plan.requestsPerSecond(),
                plan.bytesPerSecondPerSocket(), plan.bytesPerSecondTotal(), plan.connectionsPerIp(),
                plan.requestsPerSecondPerIp(), remaining, s.expiresAt());
    }

    /** Start of the monthly quota period containing {@code now}: {@code first} plus whole calendar months (UTC). */
    static Instant currentPeriodStart(Instant first, Instant now) {
        ZonedDateTime start = first.atZone(ZoneOffset.UTC);
        if (now.isBefore(first)) {
            return first;
        }
        long months = ChronoUnit.MONTHS.between(start, now.atZone(ZoneOffset.UTC));
        return start.plusMonths(months).toInstant();
    }

    @Override
    public List<Integer> usablePorts(UUID userId) {
        PoolGrant grant = access(userId);
        if (grant == null || grant.expiredAt(clock.instant()) || grant.remainingBytes() <= 0) {
            return List.of();
        }
        TreeSet<Integer> ports = new TreeSet<>();
        for (int port : repository.upstreamPorts()) {
            if (grant.allowsPort(port)) {
                ports.add(port);
            }
        }
        return List.copyOf(ports);
    }

    @Override
    @Transactional
    public CreatedAdminToken createToken(UUID adminId, String name, Set<String> scopes, Instant expiresAt) {
        if (name.isBlank() || name.length() > 100) {
            throw bad("name", "name: blank or longer than 100 characters");
        }
        if (scopes.isEmpty() || !TOKEN_SCOPES.containsAll(scopes)) {
            throw bad("scopes", "scopes: " + scopes + " (expected: one or more of " + new TreeSet<>(TOKEN_SCOPES) + ")");
        }
        Instant now = clock.instant();
        if (!expiresAt.isAfter(now) || expiresAt.isAfter(now.plus(MAX_TOKEN_DAYS, ChronoUnit.DAYS))) {
            throw bad("expiresAt", "expiresAt: " + expiresAt + " (expected: in the future, at most " + MAX_TOKEN_DAYS + " days ahead)");
        }
        String token = io.iploop.server.platform.AdminApiTokens.PREFIX + SecureTokens.randomHex(24);
        UUID id = UUID.randomUUID();
        repository.insertToken(id, name.strip(), SecureTokens.sha256Hex(token), new TreeSet<>(scopes), adminId, expiresAt);
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_TOKEN_CREATED, "admin_token", id.toString(),
                Map.of("name", name.strip(), "scopes", String.join(" ", new TreeSet<>(scopes)), "expiresAt", expiresAt.toString())));
        return new CreatedAdminToken(token, repository.token(id).orElseThrow());
    }

    @Override
    public List<AdminToken> tokens() {
        return repository.tokens();
    }

    @Override
    @Transactional
    public void revokeToken(UUID adminId, UUID tokenId) {
        if (!repository.revokeToken(tokenId, clock.instant())) {
            throw new PoolException(PoolException.Reason.TOKEN_NOT_FOUND, "no admin API token " + tokenId, "id");
        }
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_TOKEN_REVOKED, "admin_token", tokenId.toString(), Map.of()));
    }

    /** The token's principal data if it is valid now (marks it used). */
    Optional<AdminToken> useToken(String token) {
        return repository.useToken(SecureTokens.sha256Hex(token), clock.instant());
    }

    private static PoolException bad(String field, String message) {
        return new PoolException(PoolException.Reason.INVALID_REQUEST, message, field);
    }
}
