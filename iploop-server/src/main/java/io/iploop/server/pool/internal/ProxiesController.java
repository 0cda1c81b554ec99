package io.iploop.server.pool.internal;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.pool.PoolException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/proxies} (docs/upstream-pool.md#access): the pool ports the caller may use right
 * now, as {@code host:port} lines ({@code text/plain}), {@code host:port:user:pass} lines with
 * {@code ?format=auth&key=KEY}, or JSON with {@code Accept: application/json}. API keys are stored as
 * SHA-256 only, so the key cannot be printed from the server: the caller passes it and it is checked
 * like the gateway checks proxy credentials (400 {@code invalid_request} naming {@code key} if refused).
 */
@RestController
@Tag(name = "pool", description = "Upstream pool")
class ProxiesController {

    private final DefaultPoolService pool;
    private final ProxyAuthenticator authenticator;
    private final String host;

    ProxiesController(DefaultPoolService pool, ProxyAuthenticator authenticator, IploopProperties properties) {
        this.pool = pool;
        this.authenticator = authenticator;
        this.host = properties.publicHost();
    }

    /** The JSON answer. */
    record ProxiesJson(String host, List<Integer> ports, List<String> proxies) {}

    @GetMapping("/api/proxies")
    @Operation(summary = "The pool ports the caller may use now: host:port a line (format=auth: host:port:user:pass), "
            + "JSON with Accept: application/json")
    ResponseEntity<?> proxies(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(required = false) @Nullable String format, @RequestParam(required = false) @Nullable String key,
            @RequestHeader(name = HttpHeaders.ACCEPT, required = false) @Nullable String accept, HttpServletRequest request) {
        String suffix = suffix(caller, format, key, request);
        List<Integer> ports = pool.usablePorts(caller.userId());
        if (accept != null && accept.contains(MediaType.APPLICATION_JSON_VALUE)) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.CACHE_CONTROL, "no-store")
                    .body(new ProxiesJson(host, ports, ports.stream().map(p -> host + ":" + p + suffix).toList()));
        }
        StringBuilder b = new StringBuilder();
        for (int port : ports) {
            b.append(host).append(':').append(port).append(suffix).append('\n');
        }
        return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_PLAIN, java.nio.charset.StandardCharsets.UTF_8))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").body(b.toString());
    }

    private String suffix(AuthenticatedUser caller, @Nullable String format, @Nullable String key, HttpServletRequest request) {
        if (format == null || format.equals("plain")) {
            return "";
        }
        if (!format.equals("auth")) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "format: '" + format + "' (expected: plain or auth)", "format");
        }
        if (key == null || key.isBlank()) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST, "format=auth needs key: one of your API keys "
                    + "(the platform stores only their SHA-256, so it cannot print them)", "key");
        }
        AuthResult result;
        try {
            result = authenticator.authenticate(caller.customerId(), SecureTokens.sha256Hex(key),
                    InetAddress.ofLiteral(request.getRemoteAddr())).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("key check failed", e);
        }
        if (!(result instanceof AuthResult.Accepted a) || !a.principal().userId().equals(caller.userId())
                || a.principal().subUserId() != null) {
            throw new PoolException(PoolException.Reason.INVALID_REQUEST,
                    "key: not an active API key of this account usable from this address", "key");
        }
        return ":" + caller.customerId() + ":" + key;
    }
}
