package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.IpLocations;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.SecureTokens;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Opens login sessions (a row in {@code user_sessions} whose id the JWT carries) and ends them with
 * one audit entry each; sign-in, password changes and account deletion share it. Thread-safe.
 */
@Component
class SessionIssuer {

    /** Longest user agent kept with a session. */
    private static final int MAX_USER_AGENT = 500;

    private final SessionRepository sessions;
    private final JwtTokens tokens;
    private final IpLocations locations;
    private final AuditService audit;

    SessionIssuer(SessionRepository sessions, JwtTokens tokens, IpLocations locations, AuditService audit) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.locations = locations;
        this.audit = audit;
    }

    /**
     * Opens a session for {@code account} and issues its JWT: the session id is chosen first so
     * the token can carry it, the token's id is then stored hashed with the session.
     */
    LoginResult open(Account account, boolean twoFactor, @Nullable String ip, @Nullable String userAgent) {
        UUID sessionId = UUID.randomUUID();
        JwtTokens.IssuedToken token = tokens.issue(Accounts.principal(account).inSession(sessionId, twoFactor));
        @Nullable String agent = userAgent == null || userAgent.length() <= MAX_USER_AGENT ? userAgent
                : userAgent.substring(0, MAX_USER_AGENT);
        @Nullable String location = ip == null ? null : locations.describe(ip).orElse(null);
        sessions.insert(sessionId, account.id(), SecureTokens.sha256Hex(token.id()), ip, agent,
                DeviceTypes.of(agent), location, twoFactor, token.expiresAt());
        return new LoginResult(token.token(), token.expiresAt(), account);
    }

    /** Ends the account's open sessions but {@code keep}, one audit entry each. @return how many */
    int endAll(UUID userId, @Nullable UUID keep, String reason) {
        List<UUID> ended = sessions.endAll(userId, keep, reason);
        for (UUID id : ended) {
            audit.record(new AuditEvent(userId, AuditAction.SESSION_TERMINATED, "session", id.toString(),
                    Map.of("reason", reason)));
        }
        return ended.size();
    }
}
