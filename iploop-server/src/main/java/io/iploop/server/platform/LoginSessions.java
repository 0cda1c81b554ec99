package io.iploop.server.platform;

import java.util.Optional;
import java.util.UUID;

/**
 * Login sessions as the security filter sees them (docs/product/accounts.md#login-sessions): every JWT names its session
 * ({@code sid}) and is accepted only while that session is open. Implemented by the accounts
 * feature; thread-safe.
 */
public interface LoginSessions {

    /**
     * The state of session {@code sessionId} of {@code userId} when it is open (not ended, not
     * expired); empty otherwise. Records activity at most once a minute per session, so a request
     * costs one primary-key read and rarely a write.
     */
    Optional<SessionState> check(UUID sessionId, UUID userId);

    /**
     * What the security rules need to know about an open session's account, read fresh per request.
     *
     * @param mustChangePassword the account's stored must-change-password flag (the first admin):
     *     everything but profile, password change, logout and 2FA answers 403 {@code password_change_required}
     */
    record SessionState(boolean mustChangePassword) {}
}
