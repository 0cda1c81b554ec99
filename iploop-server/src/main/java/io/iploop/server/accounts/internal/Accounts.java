package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.SecureTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** Small rules every accounts service shares: e-mail normalising, mailed tokens, common errors. Stateless. */
final class Accounts {

    /** Mailed tokens: 32 random bytes as hex; only their SHA-256 is stored. */
    static final int TOKEN_BYTES = 32;

    private Accounts() {}

    /** E-mails are compared stripped and in lower case. */
    static String normalize(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /**
     * The login-throttle key of an (e-mail, client address) pair: a stranger's failures lock the
     * stranger out of the account, never its owner on another address ({@code docs/security.md});
     * the per-IP block still stops one address from spraying many accounts. The e-mail is hashed
     * (no address at rest). Without a client address: the e-mail alone, which is also the prefix of
     * every pair ({@link LoginThrottleRepository#resetEmail} clears them all).
     */
    static String emailThrottleKey(String normalizedEmail, @Nullable String clientIp) {
        String key = "email:" + SecureTokens.sha256Hex(normalizedEmail);
        return clientIp == null ? key : key + "|ip:" + clientIp;
    }

    /** The client address of the request being served on this thread, or null outside a request. */
    static @Nullable String currentClientIp() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a
                ? a.getRequest().getRemoteAddr() : null;
    }

    static String retryAt(Instant until) {
        long seconds = Math.max(1, Duration.between(Instant.now(), until).toSeconds());
        return "retry after " + until + " (in " + seconds + " s)";
    }

    static AccountsException invalidToken(String what) {
        return new AccountsException(Reason.INVALID_TOKEN, what + " is invalid, used or expired", "token");
    }

    static Supplier<AccountsException> notFound() {
        return () -> new AccountsException(Reason.NOT_FOUND, "no such account", null);
    }

    static AuthenticatedUser principal(Account a) {
        return new AuthenticatedUser(a.id(), a.customerId(), a.email(), a.role().dbValue());
    }
}
