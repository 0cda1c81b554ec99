package io.iploop.server.proxysessions.internal;

import io.iploop.gateway.spi.StickySession;
import io.iploop.gateway.spi.StickySessionDirectory;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/proxy/sessions} (docs/product/proxy.md#session-control): the caller's live sticky
 * sessions on this server's gateway. A session is addressed by the id the customer chose
 * ({@code session-ID} in the proxy user name); another account's session, an expired or closed
 * one and an unknown id all answer 404. Nothing here is written to the database: sessions live
 * in the data plane's memory (which saves them in batches for restarts, {@link JdbcStickySessionStore}).
 */
@RestController
@RequestMapping("/api/proxy/sessions")
@Tag(name = "sessions", description = "Sticky proxy sessions")
class ProxySessionsController {

    private final DataPlane dataPlane;
    private final PlansService plans;

    ProxySessionsController(DataPlane dataPlane, PlansService plans) {
        this.dataPlane = dataPlane;
        this.plans = plans;
    }

    @GetMapping
    @Operation(summary = "The caller's live sticky sessions: exit node, its location and age, pinned since, expiry, bytes carried")
    SessionsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        Instant now = Instant.now();
        return new SessionsResponse(sessions().list(caller.userId()).stream().map(s -> SessionView.of(s, now)).toList());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Close a sticky session: its next request gets a new exit (another node whenever one matches)")
    void close(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable String id) {
        if (!sessions().close(caller.userId(), id)) {
            throw notFound(id);
        }
    }

    @PostMapping("/refresh")
    @Operation(summary = "Extend a sticky session by its lifetime again, within the plan's sticky-lifetime cap")
    SessionView refresh(@AuthenticationPrincipal AuthenticatedUser caller, @Valid @RequestBody RefreshRequest r) {
        UUID userId = caller.userId();
        Plan plan = plans.current(userId).flatMap(s -> plans.find(s.planId())).orElse(null);
        if (plan == null || !plan.stickySessions() || plan.maxStickyLifetimeSeconds() <= 0) {
            throw new SessionsException("sticky_sessions_not_in_plan", HttpStatus.FORBIDDEN,
                    "sticky sessions are not included in your plan", null);
        }
        StickySession s = sessions().extend(userId, r.id(), Duration.ofSeconds(plan.maxStickyLifetimeSeconds()));
        if (s == null) {
            throw notFound(r.id());
        }
        return SessionView.of(s, Instant.now());
    }

    private StickySessionDirectory sessions() {
        return dataPlane.stickySessions();
    }

    private static SessionsException notFound(String id) {
        return new SessionsException("session_not_found", HttpStatus.NOT_FOUND,
                "no live sticky session '" + (id.length() > 64 ? id.substring(0, 64) + "..." : id) + "'", "id");
    }

    /** {@code { id }}: the session id as in {@code session-ID} (1-64 of A-Z, a-z, 0-9 and _). */
    record RefreshRequest(@NotBlank @Size(max = 64) String id) {}

    record SessionsResponse(List<SessionView> sessions) {}

    /**
     * One session as the API shows it.
     *
     * @param nodeAgeSeconds how long the exit node has been connected, seconds
     */
    record SessionView(String id, UUID nodeId, @Nullable String country, @Nullable String city, @Nullable Integer asn,
            long nodeAgeSeconds, Instant pinnedAt, Instant expiresAt, long bytes) {

        static SessionView of(StickySession s, Instant now) {
            return new SessionView(s.id(), s.nodeId(), s.country(), s.city(), s.asn() == 0 ? null : s.asn(),
                    Math.max(0, Duration.between(s.nodeConnectedSince(), now).toSeconds()), s.pinnedAt(), s.expiresAt(),
                    s.bytes());
        }
    }

    /** Errors of the sessions API, mapped to their code and status by the platform. */
    static final class SessionsException extends ApiException {

        private static final long serialVersionUID = 1L;

        SessionsException(String code, HttpStatus status, String message, @Nullable String field) {
            super(code, status, message, field);
        }
    }
}
