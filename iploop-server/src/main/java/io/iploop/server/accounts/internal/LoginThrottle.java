package io.iploop.server.accounts.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * * Counts failed logins per e-mail and per client IP. A wrong password anywhere a
 * password or second factor is checked (login, disabling 2FA, deleting the account) counts, so a
 * stolen session cannot guess its way through those either. Thread-safe.
 */
@Component
class LoginThrottle {

    private final LoginThrottleRepository throttle;
    private final AccountsSettings settings;

    LoginThrottle(LoginThrottleRepository throttle, AccountsSettings settings) {
        this.throttle = throttle;
        this.settings = settings;
    }

    /** Counts a failed login for the e-mail and the IP. @return until when the e-mail is now locked, or null */
    @Nullable Instant recordFailure(String emailKey, @Nullable String ipKey) {
        @Nullable Instant lockedNow = throttle.recordFailure(emailKey, settings.maxFailuresPerEmail(),
                settings.failureWindow(), settings.emailLockDuration());
        if (ipKey != null) {
            throttle.recordFailure(ipKey, settings.maxFailuresPerIp(), settings.failureWindow(),
                    settings.ipBlockDuration());
        }
        return lockedNow;
    }

    /**
     * Counts a failure for the account's e-mail from the current request's client address only.
     * @return until when it is now locked, or null
     */
    @Nullable Instant recordFailureForEmail(String normalizedEmail) {
        return recordFailure(Accounts.emailThrottleKey(normalizedEmail, Accounts.currentClientIp()), null);
    }
}
