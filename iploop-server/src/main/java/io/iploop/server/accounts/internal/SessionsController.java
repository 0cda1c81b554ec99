package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.SignInService;
import io.iploop.server.accounts.UserSession;
import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/auth/sessions} (docs/product/accounts.md#login-sessions): the caller's open login sessions, ending one, and
 * "log out everywhere". An ended session's token gets 401 from its next request on.
 */
@RestController
@RequestMapping("/api/auth/sessions")
@Tag(name = "auth", description = "Accounts and tokens")
class SessionsController {

    private final SignInService signIn;

    SessionsController(SignInService signIn) {
        this.signIn = signIn;
    }

    @GetMapping
    @Operation(summary = "The caller's open sessions, newest first; current: true marks the one of this token")
    SessionsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new SessionsResponse(signIn.sessions(caller.userId()).stream()
                .map(s -> SessionView.of(s, s.id().equals(caller.sessionId())))
                .toList());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "End one of the caller's sessions (its token gets 401 at once)")
    @ApiResponse(responseCode = "204", description = "ended")
    @ApiResponse(responseCode = "404", description = "session_not_found: no open session of the caller has this id",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    void end(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        signIn.endSession(caller.userId(), id);
    }

    @DeleteMapping
    @Operation(summary = "Log out everywhere: end all the caller's sessions, or all but this one with keepCurrent=true")
    EndedResponse endAll(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "false") boolean keepCurrent) {
        return new EndedResponse(signIn.endSessions(caller.userId(), keepCurrent ? caller.sessionId() : null));
    }

    /** docs/product/accounts.md#login-sessions: device, IP, location, last active. */
    record SessionView(UUID id, boolean current, String deviceType, @Nullable String ipAddress,
            @Nullable String location, @Nullable String userAgent, boolean twoFactor, Instant createdAt,
            Instant lastActiveAt, Instant expiresAt) {

        static SessionView of(UserSession s, boolean current) {
            return new SessionView(s.id(), current, s.deviceType(), s.ipAddress(), s.location(), s.userAgent(),
                    s.twoFactor(), s.createdAt(), s.lastActiveAt(), s.expiresAt());
        }
    }

    record SessionsResponse(List<SessionView> sessions) {}

    /** How many sessions were ended. */
    record EndedResponse(int terminated) {}
}
