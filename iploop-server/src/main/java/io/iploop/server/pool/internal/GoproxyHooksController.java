package io.iploop.server.pool.internal;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.usage.UsageService;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * goproxy-compatible hooks (docs/upstream-pool.md#goproxy-compatible-hooks, after goproxy's manual,
 * github.com/snail007/goproxy docs/manual/manual.md, sections "API authentication", "Traffic report"
 * and "Disconnect the user's connection"), so a goproxy fleet can be pointed at the platform during a
 * migration: {@code GET /api/internal/pool/auth} ({@code --auth-url}), {@code GET|POST
 * /api/internal/pool/traffic} ({@code --traffic-url}, normal, fast and fast-global modes) and
 * {@code POST /api/internal/pool/control} ({@code --control-url}). Only loopback peers without
 * forwarding headers are answered ({@link LoopbackGuard}); everyone else gets 403 and nothing is
 * read or written. Thread-safe.
 */
@RestController
@RequestMapping("/api/internal/pool")
@Hidden
class GoproxyHooksController {

    private static final Logger log = LoggerFactory.getLogger(GoproxyHooksController.class);

    private final DefaultPoolService pool;
    private final ProxyAuthenticator authenticator;
    private final AccountsService accounts;
    private final UsageService usage;
    private final JsonMapper json;
    private final Clock clock;
    private final StrikeTracker strikes;

    GoproxyHooksController(DefaultPoolService pool, ProxyAuthenticator authenticator, AccountsService accounts,
            UsageService usage, JsonMapper json, Clock clock,
            @Value("${iploop.pool-hooks.strike-after:15m}") Duration strikeAfter,
            @Value("${iploop.pool-hooks.lockout:1h}") Duration lockout) {
        this.pool = pool;
        this.authenticator = authenticator;
        this.accounts = accounts;
        this.usage = usage;
        this.json = json;
        this.clock = clock;
        this.strikes = new StrikeTracker(strikeAfter, lockout);
    }

    private static ResponseEntity<String> refuse(HttpStatus status, String reason) {
        return ResponseEntity.status(status).contentType(MediaType.TEXT_PLAIN).body(reason + "\n");
    }

    private static ResponseEntity<String> notLoopback() {
        return refuse(HttpStatus.FORBIDDEN, "hooks answer loopback peers only");
    }

    /** goproxy {@code --auth-url}: 204 with limit headers for valid pool credentials; anything else refuses. */
    @GetMapping("/auth")
    ResponseEntity<String> auth(HttpServletRequest request, @RequestParam(defaultValue = "") String user,
            @RequestParam(defaultValue = "") String pass, @RequestParam(name = "client_addr", defaultValue = "") String clientAddr,
            @RequestParam(name = "local_addr", defaultValue = "") String localAddr) {
        if (!LoopbackGuard.allows(request)) {
            return notLoopback();
        }
        @Nullable InetAddress client = address(clientAddr);
        if (client == null) {
            return refuse(HttpStatus.BAD_REQUEST, "client_addr: expected IP:port");
        }
        Optional<AuthResult.Accepted> accepted = authenticate(user, pass, client);
        if (accepted.isEmpty()) {
            return refuse(HttpStatus.PROXY_AUTHENTICATION_REQUIRED, "bad credentials");
        }
        UUID userId = accepted.get().principal().userId();
        String account = accepted.get().principal().customerId();
        PoolGrant grant = pool.access(userId);
        Instant now = clock.instant();
        if (grant == null) {
            return refuse(HttpStatus.FORBIDDEN, "pool_access_denied");
        }
        if (grant.expiredAt(now)) {
            return refuse(HttpStatus.FORBIDDEN, "pool_access_expired");
        }
        if (grant.remainingBytes() <= 0) {
            return refuse(HttpStatus.PAYMENT_REQUIRED, "quota_exhausted");
        }
        Instant lockedUntil = strikes.lockedUntil(account, now);
        if (lockedUntil != null) {
            return refuse(HttpStatus.FORBIDDEN, "locked_out until " + lockedUntil);
        }
        int localPort = port(localAddr);
        @Nullable PoolUpstream upstream = null;
        if (localPort > 0) {
            if (!grant.allowsPort(localPort)) {
                return refuse(HttpStatus.FORBIDDEN, "port_not_granted");
            }
            upstream = pool.upstreamWithSecret(localPort).orElse(null);
        }
        ResponseEntity.HeadersBuilder<?> ok = ResponseEntity.noContent()
                .header("userconns", String.valueOf(grant.maxThreads()))
                .header("ipconns", String.valueOf(grant.connectionsPerIp()))
                .header("userrate", String.valueOf(grant.bytesPerSecondPerSocket()))
                .header("iprate", String.valueOf(grant.bytesPerSecondPerSocket()))
                .header("userqps", String.valueOf(grant.requestsPerSecond()))
                .header("ipqps", String.valueOf(grant.requestsPerSecondPerIp()))
                .header("userTotalRate", String.valueOf(grant.bytesPerSecondTotal()));
        if (upstream != null) {
            ok.header("upstream", upstreamUrl(upstream));
        }
        return ok.build();
    }

    /** goproxy {@code --traffic-url}, normal and fast mode: one report as query parameters. */
    @GetMapping("/traffic")
    ResponseEntity<String> traffic(HttpServletRequest request, @RequestParam Map<String, String> params) {
        if (!LoopbackGuard.allows(request)) {
            return notLoopback();
        }
        List<UsageRecord> records = new ArrayList<>();
        String error = toRecord(params, records);
        if (error != null) {
            return refuse(HttpStatus.BAD_REQUEST, error);
        }
        usage.recordPoolUsage(records);
        return ResponseEntity.noContent().build();
    }

    /** goproxy {@code --traffic-url} in fast-global mode: a JSON array of reports. */
    @PostMapping(path = "/traffic", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> trafficBatch(HttpServletRequest request, @RequestBody String body) {
        if (!LoopbackGuard.allows(request)) {
            return notLoopback();
        }
        JsonNode array;
        try {
            array = json.readTree(body);
        } catch (RuntimeException e) {
            return refuse(HttpStatus.BAD_REQUEST, "body: expected a JSON array of reports");
        }
        if (!array.isArray() || array.size() > 100_000) {
            return refuse(HttpStatus.BAD_REQUEST, "body: expected a JSON array of at most 100000 reports");
        }
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (!item.isObject()) {
                return refuse(HttpStatus.BAD_REQUEST, "[" + i + "]: expected an object");
            }
            Map<String, String> params = new HashMap<>();
            for (var e : item.properties()) {
                params.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asString() : "");
            }
            String error = toRecord(params, records);
            if (error != null) {
                return refuse(HttpStatus.BAD_REQUEST, "[" + i + "]: " + error);
            }
        }
        usage.recordPoolUsage(records);
        return ResponseEntity.noContent().build();
    }

    /** Adds the report's usage record (if its account is known); returns an error message for a malformed one. */
    private @Nullable String toRecord(Map<String, String> p, List<UsageRecord> out) {
        String bytesText = p.getOrDefault("bytes", "");
        long bytes;
        try {
            bytes = Long.parseLong(bytesText.strip());
        } catch (NumberFormatException e) {
            return "bytes: expected a number of bytes";
        }
        if (bytes < 0) {
            return "bytes: " + bytes + " (expected: >= 0)";
        }
        int poolPort = port(p.getOrDefault("server_addr", ""));
        if (poolPort <= 0) {
            return "server_addr: expected IP:port";
        }
        if (bytes == 0) {
            return null;
        }
        String username = p.getOrDefault("username", "").strip();
        @Nullable UUID userId = null;
        if (!username.isEmpty()) {
            userId = accounts.findByCustomerId(username).map(Account::id).orElse(null);
        } else {
            InetAddress client = address(p.getOrDefault("client_addr", ""));
            if (client != null) {
                userId = authenticate("", "", client).map(a -> a.principal().userId()).orElse(null);
            }
        }
        if (userId == null) {
            log.debug("goproxy traffic report for an unknown account on port {} skipped", poolPort);
            return null;
        }
        String target = p.getOrDefault("target_addr", "");
        String sniffed = p.getOrDefault("sniff_domain", "");
        String host = !sniffed.isBlank() ? hostOf(sniffed) : hostOf(target);
        int targetPort = port(target);
        String reportId = p.getOrDefault("report_id", "");
        UUID id = reportId.isBlank() ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("goproxy-traffic:" + reportId).getBytes(StandardCharsets.UTF_8));
        Instant now = clock.instant();
        out.add(new UsageRecord(id, userId, null, null, null, bytes, 0, 0, null, null, host.isEmpty() ? "-" : host, "http",
                true, null, now, now, null, targetPort > 0 ? targetPort : null, null, poolPort));
        return null;
    }

    /** One connection in goproxy's control report. */
    record Conn(String id, String client, String user) {}

    /** goproxy {@code --control-url}: which users, IPs and connections to disconnect. */
    @PostMapping(path = "/control", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Object> control(HttpServletRequest request, @RequestParam(defaultValue = "") String user,
            @RequestParam(defaultValue = "") String ip, @RequestParam(defaultValue = "") String conns) {
        if (!LoopbackGuard.allows(request)) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "hooks answer loopback peers only"));
        }
        List<Conn> connections = new ArrayList<>();
        if (!conns.isBlank()) {
            try {
                JsonNode list = json.readTree(conns);
                if (list.isArray()) {
                    for (JsonNode c : list) {
                        connections.add(new Conn(c.path("id").asString(""), c.path("client").asString(""),
                                c.path("user").asString("")));
                    }
                }
            } catch (RuntimeException e) {
                return ResponseEntity.badRequest().body(Map.of("error", "conns: expected a JSON array"));
            }
        }
        Map<String, Integer> perUser = new HashMap<>();
        for (Conn c : connections) {
            if (!c.user().isEmpty()) {
                perUser.merge(c.user(), 1, Integer::sum);
            }
        }
        Instant now = clock.instant();
        Set<String> kickUsers = new LinkedHashSet<>();
        for (String u : split(user)) {
            if (shouldKick(u, perUser.getOrDefault(u, 0), now)) {
                kickUsers.add(u);
            }
        }
        Set<String> kickIps = new LinkedHashSet<>();
        for (String address : split(ip)) {
            InetAddress a = literal(address);
            if (a == null) {
                continue;
            }
            Optional<AuthResult.Accepted> owner = authenticate("", "", a);
            if (owner.isPresent() && shouldKick(owner.get().principal().customerId(), 0, now)) {
                kickIps.add(address);
            }
        }
        List<String> kickConns = new ArrayList<>();
        for (Conn c : connections) {
            String clientIp = hostOf(c.client());
            if (kickUsers.contains(c.user()) || kickIps.contains(clientIp)) {
                kickConns.add(c.id());
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", String.join(",", kickUsers));
        body.put("ip", String.join(",", kickIps));
        body.put("conns", kickConns);
        return ResponseEntity.ok(body);
    }

    /** Whether a connected user is to be disconnected: unknown, no pool access, expired, over quota or locked out. */
    private boolean shouldKick(String customerId, int connections, Instant now) {
        Optional<Account> account = accounts.findByCustomerId(customerId);
        if (account.isEmpty()) {
            return true;
        }
        PoolGrant grant = pool.access(account.get().id());
        if (grant == null || grant.expiredAt(now) || grant.remainingBytes() <= 0) {
            return true;
        }
        return strikes.report(account.get().customerId(), connections, grant.maxThreads(), now);
    }

    private Optional<AuthResult.Accepted> authenticate(String user, String pass, InetAddress client) {
        try {
            AuthResult r = (user.isEmpty() ? authenticator.authenticateAddress(client)
                    : authenticator.authenticate(user, SecureTokens.sha256Hex(pass), client))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            return r instanceof AuthResult.Accepted a ? Optional.of(a) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            log.warn("goproxy auth hook: credential check failed: {}", e.toString());
            return Optional.empty();
        }
    }

    /** The upstream as goproxy's {@code upstream} header: {@code scheme://[user:pass@]host:port}. */
    static String upstreamUrl(PoolUpstream u) {
        String host = u.host().indexOf(':') >= 0 ? "[" + u.host() + "]" : u.host();
        String auth = u.username() == null ? "" : enc(u.username()) + ":" + enc(u.password() == null ? "" : u.password()) + "@";
        return u.scheme().urlScheme() + "://" + auth + host + ":" + u.upstreamPort();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank() && out.size() < 100_000) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** The host of {@code host:port} or {@code [v6]:port} (or of a bare host). */
    static String hostOf(String hostPort) {
        String s = hostPort.strip();
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            return end < 0 ? "" : s.substring(1, end);
        }
        int colon = s.lastIndexOf(':');
        return colon < 0 || s.indexOf(':') != colon ? s : s.substring(0, colon);
    }

    /** The port of {@code host:port}, or -1. */
    static int port(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.endsWith("]")) {
            return -1;
        }
        String p = hostPort.substring(colon + 1).strip();
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int v = Integer.parseInt(p);
        return v >= 1 && v <= 65535 ? v : -1;
    }

    private static @Nullable InetAddress address(String hostPort) {
        return port(hostPort) > 0 ? literal(hostOf(hostPort)) : null;
    }

    private static @Nullable InetAddress literal(String ip) {
        try {
            return InetAddress.ofLiteral(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
