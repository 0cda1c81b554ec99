package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.LoginAttempt;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.SignInService;
import io.iploop.server.accounts.UserSession;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.SecureTokens;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * {@link SignInService}: registration, login with throttling and second factor, logout, and the
 * account's sessions. A registration creates the account like {@link AccountsService#create}
 * and publishes {@link AccountRegistered} ({@code selfRegistered}, with the referral code and client
 * address) in its transaction, from which plans subscribes the sign-up plan and earn records a
 * referral. Thread-safe.
 */
@Service
class DefaultSignInService implements SignInService {

    private final UserRepository users;
    private final AccountCreation creation;
    private final LoginThrottleRepository throttle;
    private final LoginThrottle failures;
    private final SecondFactors secondFactors;
    private final SessionIssuer issuer;
    private final SessionRepository sessions;
    private final RevokedTokenRepository revoked;
    private final PasswordEncoder passwords;
    private final JwtTokens tokens;
    private final DefaultEmailVerificationService verification;
    private final AuditService audit;
    private final SignupThrottle signups;
    private final ConsentRepository consents;
    /** Compared against when the e-mail is unknown, so both failures take as long. */
    private final String dummyHash;

    DefaultSignInService(UserRepository users, AccountCreation creation, LoginThrottleRepository throttle,
            LoginThrottle failures, SecondFactors secondFactors, SessionIssuer issuer, SessionRepository sessions,
            RevokedTokenRepository revoked, PasswordEncoder passwords, JwtTokens tokens,
            DefaultEmailVerificationService verification, AuditService audit, SignupThrottle signups,
            ConsentRepository consents) {
        this.consents = consents;
        this.users = users;
        this.creation = creation;
        this.throttle = throttle;
        this.failures = failures;
        this.secondFactors = secondFactors;
        this.issuer = issuer;
        this.sessions = sessions;
        this.revoked = revoked;
        this.passwords = passwords;
        this.tokens = tokens;
        this.verification = verification;
        this.audit = audit;
        this.signups = signups;
        this.dummyHash = passwords.encode(SecureTokens.randomHex(16));
    }

    @Override
    @Transactional
    public LoginResult register(NewAccount account, @Nullable String referralCode, boolean termsAccepted) {
        @Nullable HttpServletRequest request = currentRequest();
        Account created = signUp(account, referralCode, termsAccepted);
        return issuer.open(created, false, request == null ? null : request.getRemoteAddr(),
                request == null ? null : request.getHeader(HttpHeaders.USER_AGENT));
    }

    /**
     * The sign-up limits are reserved before the insert and given back unless the transaction
     * commits, so only registrations that succeed count (docs/product/accounts.md#registration).
     * Acceptance of the terms is checked first: a refused sign-up writes nothing.
     */
    @Override
    @Transactional
    public Account signUp(NewAccount account, @Nullable String referralCode, boolean termsAccepted) {
        if (!termsAccepted) {
            throw new AccountsException(Reason.TERMS_NOT_ACCEPTED,
                    "acceptTerms: must be true (accept the terms of service and the privacy policy)", "acceptTerms");
        }
        @Nullable HttpServletRequest request = currentRequest();
        @Nullable String clientIp = request == null ? null : request.getRemoteAddr();
        String email = Accounts.normalize(account.email());
        SignupThrottle.Reservation reserved = signups.reserve(clientIp, email);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    reserved.release();
                }
            }
        });
        Account created = creation.insert(account, true, referralCode, clientIp);
        consents.recordSignupConsents(created.id(), created.createdAt(), clientIp);
        verification.send(created);
        return created;
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public LoginResult login(String email, String password, @Nullable String clientIp) {
        return login(LoginAttempt.password(email, password, clientIp));
    }

    /**
     * Failed attempts must be counted and audited even though the call fails, hence no rollback
     * for {@link AccountsException}. Locks are checked before the password, so a locked e-mail
     * costs no bcrypt; e-mails are throttled by hash whether or not an account has them, so a lock
     * does not reveal that an account exists (docs/product/accounts.md#brute-force-protection). A wrong second factor counts like a
     * wrong password; a missing one does not (the dashboard asks for it after the password).
     */
    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public LoginResult login(LoginAttempt attempt) {
        String normalized = Accounts.normalize(attempt.email());
        @Nullable String clientIp = attempt.clientIp();
        String emailKey = Accounts.emailThrottleKey(normalized, clientIp);
        @Nullable String ipKey = clientIp == null ? null : "ip:" + clientIp;
        if (ipKey != null) {
            Optional<Instant> blocked = throttle.lockedUntil(ipKey);
            if (blocked.isPresent()) {
                throw new AccountsException(Reason.TOO_MANY_ATTEMPTS,
                        "too many failed logins from your address; " + Accounts.retryAt(blocked.get()), null, blocked.get());
            }
        }
        Optional<Instant> locked = throttle.lockedUntil(emailKey);
        if (locked.isPresent()) {
            throw new AccountsException(Reason.ACCOUNT_LOCKED,
                    "account locked after too many failed logins; " + Accounts.retryAt(locked.get()), null, locked.get());
        }
        Optional<UserRepository.Credentials> credentials = users.findCredentialsByEmail(normalized);
        String hash = credentials.map(UserRepository.Credentials::passwordHash).orElse(dummyHash);
        boolean matches = passwords.matches(attempt.password(), hash);
        if (credentials.isEmpty() || !matches) {
            audit.record(new AuditEvent(credentials.map(UserRepository.Credentials::id).orElse(null),
                    AuditAction.LOGIN_FAILED, "user", null, Map.of("email", normalized, "reason", "password")));
            @Nullable Instant lockedNow = failures.recordFailure(emailKey, ipKey);
            throw new AccountsException(Reason.INVALID_CREDENTIALS, lockedNow == null ? "wrong e-mail or password"
                    : "wrong e-mail or password; too many failures, the account is locked: "
                            + Accounts.retryAt(lockedNow), null, lockedNow);
        }
        Account account = users.findById(credentials.get().id()).orElseThrow();
        if (account.status() != UserStatus.ACTIVE) {
            throw new AccountsException(Reason.ACCOUNT_SUSPENDED, "this account is " + account.status().dbValue(), null);
        }
        boolean twoFactor = false;
        if (account.twoFactorEnabled()) {
            @Nullable String code = attempt.totpCode();
            @Nullable String backup = attempt.backupCode();
            if ((code == null || code.isBlank()) && (backup == null || backup.isBlank())) {
                throw new AccountsException(Reason.TWO_FACTOR_REQUIRED,
                        "this account uses two-factor authentication: send totpCode (6 digits from the "
                                + "authenticator app) or backupCode", "totpCode");
            }
            boolean usedTotp = code != null && !code.isBlank();
            boolean ok = usedTotp ? secondFactors.acceptTotp(account.id(), code.strip())
                    : secondFactors.acceptBackupCode(account.id(), backup);
            if (!ok) {
                audit.record(new AuditEvent(account.id(), AuditAction.LOGIN_FAILED, "user", account.id().toString(),
                        Map.of("email", normalized, "reason", usedTotp ? "totp" : "backup_code")));
                @Nullable Instant lockedNow = failures.recordFailure(emailKey, ipKey);
                throw new AccountsException(Reason.INVALID_TWO_FACTOR_CODE, (usedTotp
                        ? "wrong, expired or already used authentication code"
                        : "wrong or already used backup code")
                        + (lockedNow == null ? "" : "; too many failures, the account is locked: "
                                + Accounts.retryAt(lockedNow)),
                        usedTotp ? "totpCode" : "backupCode", lockedNow);
            }
            twoFactor = true;
        }
        throttle.reset(emailKey);
        users.recordLogin(account.id());
        LoginResult result = issuer.open(account, twoFactor, clientIp, attempt.userAgent());
        audit.record(AuditEvent.ofUser(account.id(), AuditAction.LOGIN_SUCCEEDED,
                Map.of("twoFactor", Boolean.toString(twoFactor))));
        return result;
    }

    @Override
    @Transactional
    public void logout(String bearerToken) {
        tokens.verifyToken(bearerToken).ifPresent(t -> {
            revoked.revoke(t.id(), t.user().userId(), t.expiresAt());
            @Nullable UUID sid = t.user().sessionId();
            if (sid != null) {
                sessions.end(t.user().userId(), sid, "logout");
            }
            audit.record(AuditEvent.ofUser(t.user().userId(), AuditAction.LOGOUT,
                    Map.of("tokenIdSha256", SecureTokens.sha256Hex(t.id()),
                            "sessionId", sid == null ? "" : sid.toString())));
        });
    }

    @Override
    public List<UserSession> sessions(UUID userId) {
        return sessions.findOpen(userId);
    }

    @Override
    @Transactional
    public void endSession(UUID userId, UUID sessionId) {
        if (!sessions.end(userId, sessionId, "terminated")) {
            throw new AccountsException(Reason.SESSION_NOT_FOUND, "no open session with this id", "id");
        }
        audit.record(new AuditEvent(userId, AuditAction.SESSION_TERMINATED, "session", sessionId.toString(),
                Map.of("reason", "terminated")));
    }

    @Override
    @Transactional
    public int endSessions(UUID userId, @Nullable UUID keep) {
        return issuer.endAll(userId, keep, "terminated");
    }

    private static @Nullable HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a
                ? a.getRequest() : null;
    }
}
