package io.iploop.server.accounts.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Hourly removal of expired blacklist entries, old account tokens, stale login counters and
 * sessions ended or expired a week ago.
 * Idempotent deletes, so instances running it at the same time do no harm. Thread-safe.
 */
@Component
class AccountsHousekeeping {

    private static final Logger log = LoggerFactory.getLogger(AccountsHousekeeping.class);

    private final RevokedTokenRepository revoked;
    private final AccountTokenRepository tokens;
    private final LoginThrottleRepository throttle;
    private final SessionRepository sessions;

    AccountsHousekeeping(RevokedTokenRepository revoked, AccountTokenRepository tokens,
            LoginThrottleRepository throttle, SessionRepository sessions) {
        this.revoked = revoked;
        this.tokens = tokens;
        this.throttle = throttle;
        this.sessions = sessions;
    }

    @Scheduled(initialDelayString = "PT5M", fixedDelayString = "PT1H")
    void purge() {
        try {
            int n = revoked.deleteExpired() + tokens.deleteExpired() + throttle.deleteStale() + sessions.deleteOld();
            log.debug("Accounts housekeeping removed {} rows", n);
        } catch (RuntimeException e) {
            log.warn("Accounts housekeeping failed: {}", e.toString());
        }
    }
}
