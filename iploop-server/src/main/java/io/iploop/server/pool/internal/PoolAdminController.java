package io.iploop.server.pool.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.pool.ImportMode;
import io.iploop.server.pool.ImportReport;
import io.iploop.server.pool.PoolException;
import io.iploop.server.pool.PoolPlan;
import io.iploop.server.pool.PoolSubscription;
import io.iploop.server.pool.PoolUpstreamView;
import io.iploop.server.pool.UpstreamSpec;
import io.iploop.server.usage.PoolTraffic;
import io.iploop.server.usage.UsageService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/pool/**} (docs/upstream-pool.md#admin-api-and-tokens): upstreams, pool plans,
 * customers' pool subscriptions and bans, live usage. Open to a 2FA admin login or an admin API
 * token with {@code pool:read} (GET) or {@code pool:write} (changes), enforced by the security chain.
 */
@RestController
@RequestMapping("/api/admin/pool")
@Tag(name = "pool", description = "Upstream pool")
class PoolAdminController {

    private final DefaultPoolService pool;
    private final AccountsService accounts;
    private final UsageService usage;
    private final Clock clock;

    PoolAdminController(DefaultPoolService pool, AccountsService accounts, UsageService usage, Clock clock) {
        this.pool = pool;
        this.accounts = accounts;
        this.usage = usage;
        this.clock = clock;
    }

    /** JSON import: {@code text} in the file format, or {@code upstreams}; {@code mode} as the query parameter. */
    record ImportRequest(@Nullable String mode, @Nullable String text, @Nullable List<UpstreamJson> upstreams) {}

    /** One upstream in JSON. */
    record UpstreamJson(@Nullable String scheme, @Nullable String host, @Nullable Integer port, @Nullable String username,
            @Nullable String password) {}

    @PostMapping(path = "/upstreams", consumes = MediaType.TEXT_PLAIN_VALUE)
    @Operation(summary = "Import upstreams from text in the upstream file format (mode add or replace)")
    ImportReport importText(Authentication auth, @RequestParam(defaultValue = "add") String mode, @RequestBody String body) {
        return pool.importText(Actors.of(auth), body, mode(mode));
    }

    @PostMapping(path = "/upstreams", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Import upstreams from JSON: text in the file format, or a list of upstreams")
    ImportReport importJson(Authentication auth, @RequestParam(required = false) @Nullable String mode,
            @RequestBody ImportRequest body) {
        ImportMode m = mode(mode != null ? mode : body.mode() != null ? body.mode() : "add");
        if ((body.text() == null) == (body.upstreams() == null)) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "give either text or upstreams", "upstreams");
        }
        if (body.text() != null) {
            return pool.importText(Actors.of(auth), body.text(), m);
        }
        List<UpstreamSpec> specs = new ArrayList<>();
        List<UpstreamFileParser.LineError> errors = new ArrayList<>();
        List<UpstreamJson> list = body.upstreams();
        for (int i = 0; i < list.size(); i++) {
            try {
                specs.add(spec(list.get(i)));
            } catch (IllegalArgumentException e) {
                errors.add(new UpstreamFileParser.LineError(i, e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            StringBuilder b = new StringBuilder(errors.size() + " bad upstream(s), nothing imported: ");
            for (int i = 0; i < Math.min(errors.size(), 50); i++) {
                b.append(i == 0 ? "" : "; ").append("upstreams[").append(errors.get(i).line()).append("]: ")
                        .append(errors.get(i).message());
            }
            throw new PoolException(PoolException.Reason.INVALID_UPSTREAMS, b.toString(),
                    "upstreams[" + errors.getFirst().line() + "]");
        }
        return pool.importUpstreams(Actors.of(auth), specs, m);
    }

    /** Validates a JSON upstream with the file parser's rules (it is written as the equivalent URL). */
    private static UpstreamSpec spec(UpstreamJson u) {
        if (u.host() == null || u.port() == null) {
            throw new IllegalArgumentException("host and port are required");
        }
        if ((u.username() == null) != (u.password() == null)) {
            throw new IllegalArgumentException("username and password go together");
        }
        String scheme = u.scheme() == null ? "http" : u.scheme().toLowerCase(Locale.ROOT);
        String host = u.host().indexOf(':') >= 0 && !u.host().startsWith("[") ? "[" + u.host() + "]" : u.host();
        String auth = u.username() == null ? "" : enc(u.username()) + ":" + enc(u.password()) + "@";
        return UpstreamFileParser.parseLine(scheme + "://" + auth + host + ":" + u.port());
    }

    private static String enc(@Nullable String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ImportMode mode(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "add" -> ImportMode.ADD;
            case "replace" -> ImportMode.REPLACE;
            default -> throw new PoolException(PoolException.Reason.INVALID_REQUEST,
                    "mode: '" + mode + "' (expected: add or replace)", "mode");
        };
    }

    @GetMapping("/upstreams")
    @Operation(summary = "Every upstream by pool port (passwords are never returned)")
    Map<String, Object> upstreams() {
        List<PoolUpstreamView> list = pool.upstreams();
        return Map.of("range", pool.range().first() + "-" + pool.range().last(), "count", list.size(), "upstreams", list);
    }

    @DeleteMapping("/upstreams/{port}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove the upstream of one pool port")
    void deleteUpstream(Authentication auth, @PathVariable int port) {
        pool.deleteUpstream(Actors.of(auth), port);
    }

    @GetMapping("/plans")
    @Operation(summary = "The pool plans")
    Map<String, Object> plans() {
        return Map.of("plans", pool.plans());
    }

    /**
     * A new pool plan; omitted limits are 0 (unlimited). Boxed, because JSON without a field binds null,
     * which Jackson 3 refuses for a primitive (the whole body was then 400 malformed_request).
     */
    record PlanRequest(@Nullable String id, @Nullable String name, @Nullable Integer maxThreads,
            @Nullable Integer requestsPerSecond, @Nullable Long bytesPerSecondPerSocket, @Nullable Long bytesPerSecondTotal,
            @Nullable Integer connectionsPerIp, @Nullable Integer requestsPerSecondPerIp, @Nullable Long monthlyQuotaBytes,
            @Nullable Integer validityDays, @Nullable BigDecimal price) {}

    private static int orZero(@Nullable Integer v) {
        return v == null ? 0 : v;
    }

    private static long orZero(@Nullable Long v) {
        return v == null ? 0 : v;
    }

    @PostMapping("/plans")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a pool plan (e.g. a Custom plan)")
    PoolPlan createPlan(Authentication auth, @RequestBody PlanRequest r) {
        if (r.id() == null || r.name() == null || r.price() == null) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "id, name and price are required",
                    r.id() == null ? "id" : r.name() == null ? "name" : "price");
        }
        return pool.createPlan(Actors.of(auth), new PoolPlan(r.id(), r.name(), orZero(r.maxThreads()),
                orZero(r.requestsPerSecond()), orZero(r.bytesPerSecondPerSocket()), orZero(r.bytesPerSecondTotal()),
                orZero(r.connectionsPerIp()), orZero(r.requestsPerSecondPerIp()), orZero(r.monthlyQuotaBytes()),
                r.validityDays() == null ? 30 : r.validityDays(), r.price(), "USD"));
    }

    /** An account's subscription with its customer id, for the admin's list. */
    record CustomerView(UUID userId, String customerId, String email, PoolSubscription subscription, List<Integer> usablePorts) {}

    @GetMapping("/customers")
    @Operation(summary = "Every account with a pool subscription")
    Map<String, Object> customers() {
        List<CustomerView> out = new ArrayList<>();
        for (PoolSubscription s : pool.subscriptions()) {
            accounts.find(s.userId()).ifPresent(a -> out.add(view(a, s)));
        }
        return Map.of("customers", out);
    }

    @GetMapping("/customers/{userId}")
    @Operation(summary = "One account's pool subscription")
    CustomerView customer(@PathVariable UUID userId) {
        Account a = account(userId);
        return view(a, pool.subscription(userId).orElseThrow(() -> new PoolException(PoolException.Reason.NOT_FOUND,
                "no pool subscription for this account", "userId")));
    }

    /** A grant: plan, ports ({@code all} or {@code 4000-4099,4200}), optional expiry. */
    record GrantRequest(@Nullable String planId, @Nullable String ports, @Nullable Instant expiresAt) {}

    @PutMapping("/customers/{userId}")
    @Operation(summary = "Grant or change an account's pool subscription")
    CustomerView grant(Authentication auth, @PathVariable UUID userId, @RequestBody GrantRequest r) {
        Account a = account(userId);
        if (r.planId() == null) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "planId is required", "planId");
        }
        PoolSubscription s = pool.grant(Actors.of(auth), a.id(), r.planId(), r.ports() == null ? "all" : r.ports(), r.expiresAt());
        return view(a, s);
    }

    /** Why an account is banned. */
    record BanRequest(@Nullable String reason) {}

    @PostMapping("/customers/{userId}/ban")
    @Operation(summary = "Ban an account from the pool (the gateway refuses it from its next limits refresh)")
    CustomerView ban(Authentication auth, @PathVariable UUID userId, @RequestBody BanRequest r) {
        Account a = account(userId);
        return view(a, pool.setBanned(Actors.of(auth), a.id(), true, r.reason()));
    }

    @DeleteMapping("/customers/{userId}/ban")
    @Operation(summary = "Lift an account's pool ban")
    CustomerView unban(Authentication auth, @PathVariable UUID userId) {
        Account a = account(userId);
        return view(a, pool.setBanned(Actors.of(auth), a.id(), false, null));
    }

    /** Pool bytes of one account or one port. */
    record Bytes(String key, long bytes) {}

    @GetMapping("/usage")
    @Operation(summary = "Pool bytes per customer and per port over the last hours (from usage records)")
    Map<String, Object> usage(@RequestParam(defaultValue = "24") int hours) {
        if (hours < 1 || hours > 24 * 31) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "hours: " + hours + " (expected: 1-744)", "hours");
        }
        Instant to = clock.instant();
        Instant from = to.minus(Duration.ofHours(hours));
        List<PoolTraffic> rows = usage.poolTraffic(from, to, 10_000);
        Map<String, Long> byCustomer = new TreeMap<>();
        Map<Integer, Long> byPort = new TreeMap<>();
        Map<UUID, String> customerIds = new java.util.HashMap<>();
        for (PoolTraffic t : rows) {
            String cid = customerIds.computeIfAbsent(t.userId(),
                    id -> accounts.find(id).map(Account::customerId).orElse(id.toString()));
            byCustomer.merge(cid, t.bytes(), Long::sum);
            byPort.merge(t.poolPort(), t.bytes(), Long::sum);
        }
        return Map.of("from", from, "to", to,
                "byCustomer", byCustomer.entrySet().stream().map(e -> new Bytes(e.getKey(), e.getValue())).toList(),
                "byPort", byPort.entrySet().stream().map(e -> new Bytes(String.valueOf(e.getKey()), e.getValue())).toList(),
                "live", "threads and QPS come from the gateway (not yet exposed here)");
    }

    private Account account(UUID userId) {
        return accounts.find(userId).orElseThrow(() -> new PoolException(PoolException.Reason.NOT_FOUND,
                "no account " + userId, "userId"));
    }

    private CustomerView view(Account a, PoolSubscription s) {
        return new CustomerView(a.id(), a.customerId(), a.email(), s, pool.usablePorts(a.id()));
    }
}
