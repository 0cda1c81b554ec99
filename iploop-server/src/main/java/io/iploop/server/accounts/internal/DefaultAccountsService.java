package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountPage;
import io.iploop.server.accounts.AccountSearch;
import io.iploop.server.accounts.AccountStats;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.LoginAttempt;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.ProfileUpdate;
import io.iploop.server.accounts.TwoFactorSetup;
import io.iploop.server.accounts.UserSession;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.accounts.internal.AccountTokenRepository.Purpose;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.IpLocations;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.plans.PlansException;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.accounts.NotificationPreferences;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The accounts service over {@link UserRepository}. Mail goes through the outbox and audit entries
 * are written in the same transaction as the change. Logins open a row in {@code user_sessions}
 * whose id the JWT carries ({@link SessionRepository}); TOTP secrets are AES-256-GCM encrypted with
 * the user id as associated data ({@link PlatformSecrets}). Thread-safe.
 */
@Service
class DefaultAccountsService implements AccountsService {

    /** Public customer id: {@code cust_} + 12 base32 characters (60 random bits). */
    static final String CUSTOMER_ID_PREFIX = "cust_";
    /** docs/product/accounts.md#password-reset: reset links expire after 1 h. */
    static final Duration RESET_TOKEN_LIFETIME = Duration.ofHours(1);
    static final Duration VERIFICATION_TOKEN_LIFETIME = Duration.ofHours(24);
    /** An admin's invitation (a set-password link) lasts longer than a reset: the user did not ask for it. */
    static final Duration INVITATION_LIFETIME = Duration.ofHours(72);
    /** Mailed tokens: 32 random bytes as hex; only their SHA-256 is stored. */
    private static final int TOKEN_BYTES = 32;
    /** Longest user agent kept with a session. */
    private static final int MAX_USER_AGENT = 500;

    private final UserRepository users;
    private final AccountTokenRepository accountTokens;
    private final RevokedTokenRepository revoked;
    private final LoginThrottleRepository throttle;
    private final PasswordEncoder passwords;
    private final JwtTokens tokens;
    private final PlansService plans;
    private final MailService mail;
    private final AccountMails mails;
    private final AuditService audit;
    private final AccountsSettings settings;
    private final SessionRepository sessions;
    private final BackupCodeRepository backupCodes;
    private final TotpCodes totp;
    private final PlatformSecrets secrets;
    private final IpLocations locations;
    private final ApplicationEventPublisher events;
    private final NotificationPreferencesRepository notificationPreferences;
    /** Compared against when the e-mail is unknown, so both failures take as long. */
    private final String dummyHash;

    DefaultAccountsService(UserRepository users, AccountTokenRepository accountTokens, RevokedTokenRepository revoked,
            LoginThrottleRepository throttle, PasswordEncoder passwords, JwtTokens tokens, PlansService plans,
            MailService mail, AccountMails mails, AuditService audit, AccountsSettings settings,
            SessionRepository sessions, BackupCodeRepository backupCodes, TotpCodes totp, PlatformSecrets secrets,
            IpLocations locations, ApplicationEventPublisher events,
            NotificationPreferencesRepository notificationPreferences) {
        this.events = events;
        this.notificationPreferences = notificationPreferences;
        this.users = users;
        this.accountTokens = accountTokens;
        this.revoked = revoked;
        this.throttle = throttle;
        this.passwords = passwords;
        this.tokens = tokens;
        this.plans = plans;
        this.mail = mail;
        this.mails = mails;
        this.audit = audit;
        this.settings = settings;
        this.sessions = sessions;
        this.backupCodes = backupCodes;
        this.totp = totp;
        this.secrets = secrets;
        this.locations = locations;
        this.dummyHash = passwords.encode(SecureTokens.randomHex(16));
    }

    static String newCustomerId() {
        return CUSTOMER_ID_PREFIX + SecureTokens.randomBase32(12);
    }

    @Override
    @Transactional
    public Account create(NewAccount a) {
        Account account = insert(a);
        plans.subscribeNewAccount(account.id());
        return account;
    }

    private Account insert(NewAccount a) {
        String email = normalize(a.email());
        if (users.emailExists(email)) {
            throw new AccountsException(Reason.EMAIL_TAKEN, "an account with this e-mail exists already", "email");
        }
        Account account;
        try {
            account = users.insert(newCustomerId(), email, passwords.encode(a.password()), a.firstName().strip(),
                    a.lastName().strip(), blankToNull(a.company()), a.role(), a.mustChangePassword());
        } catch (DuplicateKeyException raced) {
            throw new AccountsException(Reason.EMAIL_TAKEN, "an account with this e-mail exists already", "email");
        }
        return account;
    }

    /** Overridden so the one-argument form gets its transaction at the proxy too (a default method would not). */
    @Override
    @Transactional
    public LoginResult register(NewAccount account) {
        return register(account, null);
    }

    @Override
    @Transactional
    public LoginResult register(NewAccount account, @Nullable String referralCode) {
        Account created = create(account);
        events.publishEvent(new AccountRegistered(created.id(), created.email(), referralCode));
        sendVerification(created);
        @Nullable HttpServletRequest request = currentRequest();
        return openSession(created, false, request == null ? null : request.getRemoteAddr(),
                request == null ? null : request.getHeader(HttpHeaders.USER_AGENT));
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
        String normalized = normalize(attempt.email());
        String emailKey = emailThrottleKey(normalized);
        @Nullable String clientIp = attempt.clientIp();
        @Nullable String ipKey = clientIp == null ? null : "ip:" + clientIp;
        if (ipKey != null) {
            Optional<Instant> blocked = throttle.lockedUntil(ipKey);
            if (blocked.isPresent()) {
                throw new AccountsException(Reason.TOO_MANY_ATTEMPTS,
                        "too many failed logins from your address; " + retryAt(blocked.get()), null);
            }
        }
        Optional<Instant> locked = throttle.lockedUntil(emailKey);
        if (locked.isPresent()) {
            throw accountLocked(locked.get());
        }
        Optional<UserRepository.Credentials> credentials = users.findCredentialsByEmail(normalized);
        String hash = credentials.map(UserRepository.Credentials::passwordHash).orElse(dummyHash);
        boolean matches = passwords.matches(attempt.password(), hash);
        if (credentials.isEmpty() || !matches) {
            audit.record(new AuditEvent(credentials.map(UserRepository.Credentials::id).orElse(null),
                    AuditAction.LOGIN_FAILED, "user", null, Map.of("email", normalized, "reason", "password")));
            @Nullable Instant lockedNow = recordFailure(emailKey, ipKey);
            throw new AccountsException(Reason.INVALID_CREDENTIALS, lockedNow == null ? "wrong e-mail or password"
                    : "wrong e-mail or password; too many failures, the account is locked: " + retryAt(lockedNow),
                    null);
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
            boolean ok = usedTotp ? acceptTotp(account.id(), code.strip()) : acceptBackupCode(account.id(), backup);
            if (!ok) {
                audit.record(new AuditEvent(account.id(), AuditAction.LOGIN_FAILED, "user", account.id().toString(),
                        Map.of("email", normalized, "reason", usedTotp ? "totp" : "backup_code")));
                @Nullable Instant lockedNow = recordFailure(emailKey, ipKey);
                throw new AccountsException(Reason.INVALID_TWO_FACTOR_CODE, (usedTotp
                        ? "wrong, expired or already used authentication code"
                        : "wrong or already used backup code")
                        + (lockedNow == null ? "" : "; too many failures, the account is locked: " + retryAt(lockedNow)),
                        usedTotp ? "totpCode" : "backupCode");
            }
            twoFactor = true;
        }
        throttle.reset(emailKey);
        users.recordLogin(account.id());
        LoginResult result = openSession(account, twoFactor, clientIp, attempt.userAgent());
        audit.record(AuditEvent.ofUser(account.id(), AuditAction.LOGIN_SUCCEEDED,
                Map.of("twoFactor", Boolean.toString(twoFactor))));
        return result;
    }

    /** Counts a failed login for the e-mail and the IP. @return until when the e-mail is now locked, or null */
    private @Nullable Instant recordFailure(String emailKey, @Nullable String ipKey) {
        @Nullable Instant lockedNow = throttle.recordFailure(emailKey, settings.maxFailuresPerEmail(),
                settings.failureWindow(), settings.emailLockDuration());
        if (ipKey != null) {
            throttle.recordFailure(ipKey, settings.maxFailuresPerIp(), settings.failureWindow(),
                    settings.ipBlockDuration());
        }
        return lockedNow;
    }

    /**
     * Opens a session for {@code account} and issues its JWT: the session id is chosen first so
     * the token can carry it, the token's id is then stored hashed with the session.
     */
    private LoginResult openSession(Account account, boolean twoFactor, @Nullable String ip,
            @Nullable String userAgent) {
        UUID sessionId = UUID.randomUUID();
        JwtTokens.IssuedToken token = tokens.issue(principal(account).inSession(sessionId, twoFactor));
        @Nullable String agent = userAgent == null || userAgent.length() <= MAX_USER_AGENT ? userAgent
                : userAgent.substring(0, MAX_USER_AGENT);
        @Nullable String location = ip == null ? null : locations.describe(ip).orElse(null);
        sessions.insert(sessionId, account.id(), SecureTokens.sha256Hex(token.id()), ip, agent,
                DeviceTypes.of(agent), location, twoFactor, token.expiresAt());
        return new LoginResult(token.token(), token.expiresAt(), account);
    }

    /** True when {@code code} is a TOTP code of a step never used before for this account (replay protection). */
    private boolean acceptTotp(UUID userId, String code) {
        UserRepository.TotpState state = users.findTotp(userId).orElseThrow(notFound());
        @Nullable String encrypted = state.encryptedSecret();
        if (encrypted == null) {
            return false;
        }
        OptionalLong step = totp.matchingStep(secrets.decrypt(encrypted, userId.toString()), code);
        return step.isPresent() && users.consumeTotpStep(userId, step.getAsLong());
    }

    /** True when {@code code} was an unused backup code of the account, which is now used up (audited). */
    private boolean acceptBackupCode(UUID userId, @Nullable String code) {
        if (code == null || code.isBlank() || !backupCodes.use(userId, TotpCodes.backupCodeHash(code))) {
            return false;
        }
        audit.record(AuditEvent.ofUser(userId, AuditAction.BACKUP_CODE_USED,
                Map.of("remaining", Integer.toString(backupCodes.remaining(userId)))));
        return true;
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
    public Optional<Account> find(UUID userId) {
        return users.findById(userId);
    }

    @Override
    @Transactional
    public Account updateProfile(UUID userId, ProfileUpdate u) {
        Account account = users.updateProfile(userId, u.firstName().strip(), u.lastName().strip(),
                        blankToNull(u.company()), blankToNull(u.phone()))
                .orElseThrow(notFound());
        audit.record(AuditEvent.ofUser(userId, AuditAction.PROFILE_UPDATED, Map.of()));
        return account;
    }

    @Override
    public long count() {
        return users.count();
    }

    @Override
    public Optional<Account> firstAdmin() {
        return users.firstAdmin();
    }

    @Override
    public void becomeOperator(UUID userId) {
        users.promoteToOperator(userId);
    }

    @Override
    public void setStatus(UUID userId, UserStatus status) {
        if (users.setStatus(userId, status) == 0) {
            throw notFound().get();
        }
    }

    @Override
    @Transactional
    public void changePassword(UUID userId, String currentPassword, String newPassword) {
        changePassword(userId, null, currentPassword, newPassword);
    }

    @Override
    @Transactional
    public void changePassword(UUID userId, @Nullable UUID currentSessionId, String currentPassword,
            String newPassword) {
        String hash = users.findPasswordHash(userId).orElseThrow(notFound());
        if (!passwords.matches(currentPassword, hash)) {
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "current password is wrong", "currentPassword");
        }
        if (newPassword.equals(currentPassword)) {
            throw new AccountsException(Reason.WEAK_PASSWORD, "new password must differ from the current one",
                    "newPassword");
        }
        users.setPassword(userId, passwords.encode(newPassword));
        audit.record(AuditEvent.ofUser(userId, AuditAction.PASSWORD_CHANGED, Map.of()));
        endSessionsAudited(userId, currentSessionId, "password_changed");
    }

    @Override
    @Transactional
    public void requestPasswordReset(String email) {
        users.findActiveByEmail(normalize(email)).ifPresent(account -> {
            String token = SecureTokens.randomHex(TOKEN_BYTES);
            accountTokens.replace(account.id(), Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token),
                    RESET_TOKEN_LIFETIME);
            mail.enqueue(mails.passwordReset(account, token));
            audit.record(AuditEvent.ofUser(account.id(), AuditAction.PASSWORD_RESET_REQUESTED, Map.of()));
        });
    }

    @Override
    public void checkPasswordResetToken(String token) {
        if (!accountTokens.isValid(Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token))) {
            throw invalidToken("this password reset link");
        }
    }

    @Override
    @Transactional
    public void resetPassword(String token, String newPassword) {
        UUID userId = accountTokens.consume(Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token))
                .orElseThrow(() -> invalidToken("this password reset link"));
        Account account = users.findById(userId).orElseThrow(notFound());
        users.setPassword(userId, passwords.encode(newPassword));
        // The token came by mail, so its owner reads the mailbox: that verifies the address too
        // (and lets an admin-invited user, whose invitation is a reset link, start verified).
        users.markEmailVerified(userId);
        throttle.reset(emailThrottleKey(account.email()));
        audit.record(AuditEvent.ofUser(userId, AuditAction.PASSWORD_RESET, Map.of()));
        endSessionsAudited(userId, null, "password_reset");
    }

    @Override
    @Transactional
    public void verifyEmail(String token) {
        UUID userId = accountTokens.consume(Purpose.EMAIL_VERIFICATION, SecureTokens.sha256Hex(token))
                .orElseThrow(() -> invalidToken("this verification link"));
        users.markEmailVerified(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.EMAIL_VERIFIED, Map.of()));
    }

    @Override
    @Transactional
    public void resendVerification(UUID userId) {
        Account account = users.findById(userId).orElseThrow(notFound());
        if (account.emailVerified()) {
            throw new AccountsException(Reason.EMAIL_ALREADY_VERIFIED, "the e-mail address is verified already", null);
        }
        sendVerification(account);
    }

    @Override
    @Transactional
    public TwoFactorSetup setUpTwoFactor(UUID userId) {
        Account account = users.findById(userId).orElseThrow(notFound());
        if (account.twoFactorEnabled()) {
            throw new AccountsException(Reason.TWO_FACTOR_ALREADY_ENABLED,
                    "two-factor authentication is on already; disable it first to set up a new authenticator", null);
        }
        String secret = totp.newSecret();
        users.setPendingTotp(userId, secrets.encrypt(secret, userId.toString()));
        String uri = totp.otpauthUri(secret, account.email());
        return new TwoFactorSetup(secret, uri, TotpCodes.qrCodeDataUri(uri));
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public List<String> enableTwoFactor(UUID userId, String code) {
        Account account = users.findById(userId).orElseThrow(notFound());
        if (account.twoFactorEnabled()) {
            throw new AccountsException(Reason.TWO_FACTOR_ALREADY_ENABLED, "two-factor authentication is on already",
                    null);
        }
        if (users.findTotp(userId).map(UserRepository.TotpState::encryptedSecret).isEmpty()) {
            throw new AccountsException(Reason.TWO_FACTOR_NOT_SET_UP,
                    "no authenticator set up yet: call POST /api/auth/2fa/setup first", null);
        }
        if (!acceptTotp(userId, code.strip())) {
            throw wrongCode(account);
        }
        users.enableTotp(userId);
        List<String> codes = issueBackupCodes(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.TWO_FACTOR_ENABLED, Map.of()));
        return codes;
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public void disableTwoFactor(UUID userId, String code, String password) {
        Account account = requireTwoFactor(userId);
        String hash = users.findPasswordHash(userId).orElseThrow(notFound());
        if (!passwords.matches(password, hash)) {
            recordFailure(emailThrottleKey(account.email()), null);
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "password is wrong", "password");
        }
        if (!acceptSecondFactor(userId, code)) {
            throw wrongCode(account);
        }
        users.clearTotp(userId);
        backupCodes.deleteAll(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.TWO_FACTOR_DISABLED, Map.of()));
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public List<String> regenerateBackupCodes(UUID userId, String code) {
        Account account = requireTwoFactor(userId);
        if (!acceptTotp(userId, code.strip())) {
            throw wrongCode(account);
        }
        List<String> codes = issueBackupCodes(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.BACKUP_CODES_REGENERATED, Map.of()));
        return codes;
    }

    @Override
    @Transactional(readOnly = true)
    public AccountPage search(AccountSearch search) {
        if (search.page() < 1) {
            throw new AccountsException(Reason.INVALID_QUERY, "page: " + search.page() + " (expected: >= 1)", "page");
        }
        if (search.limit() < 1 || search.limit() > MAX_PAGE_SIZE) {
            throw new AccountsException(Reason.INVALID_QUERY,
                    "limit: " + search.limit() + " (expected: 1-" + MAX_PAGE_SIZE + ")", "limit");
        }
        if (search.ids() != null && search.ids().isEmpty()) {
            return new AccountPage(List.of(), search.page(), search.limit(), 0);
        }
        return users.search(search);
    }

    @Override
    @Transactional
    public void resetTwoFactor(UUID adminId, UUID userId) {
        Account target = users.findById(userId).orElseThrow(notFound());
        users.clearTotp(userId);
        backupCodes.deleteAll(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.TWO_FACTOR_RESET,
                Map.of("adminId", adminId.toString(), "wasEnabled", Boolean.toString(target.twoFactorEnabled()))));
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_TWO_FACTOR_RESET, "user", userId.toString(),
                Map.of("targetUserId", userId.toString(), "targetEmail", target.email())));
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
        return endSessionsAudited(userId, keep, "terminated");
    }

    /** Ends the account's open sessions but {@code keep}, one audit entry each. @return how many */
    private int endSessionsAudited(UUID userId, @Nullable UUID keep, String reason) {
        List<UUID> ended = sessions.endAll(userId, keep, reason);
        for (UUID id : ended) {
            audit.record(new AuditEvent(userId, AuditAction.SESSION_TERMINATED, "session", id.toString(),
                    Map.of("reason", reason)));
        }
        return ended.size();
    }

    private Account requireTwoFactor(UUID userId) {
        Account account = users.findById(userId).orElseThrow(notFound());
        if (!account.twoFactorEnabled()) {
            throw new AccountsException(Reason.TWO_FACTOR_NOT_ENABLED, "two-factor authentication is off", null);
        }
        return account;
    }

    /** A 6-digit {@code code} is checked as TOTP, anything else as a backup code. */
    private boolean acceptSecondFactor(UUID userId, String code) {
        String c = code.strip();
        return c.length() == TotpCodes.DIGITS && c.chars().allMatch(Character::isDigit)
                ? acceptTotp(userId, c) : acceptBackupCode(userId, c);
    }

    /** Counts the failure toward the login lockout (docs/product/accounts.md#brute-force-protection) and returns the error to throw. */
    private AccountsException wrongCode(Account account) {
        @Nullable Instant lockedNow = recordFailure(emailThrottleKey(account.email()), null);
        return new AccountsException(Reason.INVALID_CODE, "wrong, expired or already used code"
                + (lockedNow == null ? "" : "; too many failures, logins are locked: " + retryAt(lockedNow)), "code");
    }

    private List<String> issueBackupCodes(UUID userId) {
        List<String> codes = totp.newBackupCodes();
        backupCodes.replace(userId, codes.stream().map(TotpCodes::backupCodeHash).toList());
        return codes;
    }

    @Override
    @Transactional
    public Account createByAdmin(UUID adminId, String email, String firstName, String lastName,
            @Nullable String company, UserRole role, @Nullable String planId) {
        if (planId != null && plans.find(planId).isEmpty()) {
            throw new PlansException(PlansException.Reason.UNKNOWN_PLAN, "planId: unknown plan " + planId, "planId");
        }
        // Nobody knows this password: the account is usable once its owner sets one via the invitation.
        Account account = insert(new NewAccount(email, SecureTokens.randomHex(TOKEN_BYTES), firstName, lastName, company,
                role, false));
        Subscription plan = planId == null ? plans.subscribeNewAccount(account.id())
                : plans.subscribe(account.id(), planId);
        String token = SecureTokens.randomHex(TOKEN_BYTES);
        accountTokens.replace(account.id(), Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token),
                INVITATION_LIFETIME);
        mail.enqueue(mails.invitation(account, token));
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_USER_CREATED, "user", account.id().toString(), Map.of(
                "targetUserId", account.id().toString(), "email", account.email(), "role", role.dbValue(),
                "plan", plan.planId())));
        return account;
    }

    @Override
    @Transactional
    public Account changeStatus(UUID adminId, UUID userId, UserStatus status, @Nullable String reason) {
        if (adminId.equals(userId) && status != UserStatus.ACTIVE) {
            throw new AccountsException(status == UserStatus.DELETED ? Reason.CANNOT_DELETE_SELF
                    : Reason.CANNOT_CHANGE_OWN_STATUS, "you cannot make your own account " + status.dbValue()
                    + "; ask another admin", "status");
        }
        Account before = users.lockById(userId).orElseThrow(notFound());
        if (before.status() == status) {
            return before;
        }
        users.setStatus(userId, status);
        Map<String, String> details = new HashMap<>(Map.of("targetUserId", userId.toString(),
                "email", before.email(), "oldStatus", before.status().dbValue(), "newStatus", status.dbValue()));
        if (reason != null && !reason.isBlank()) {
            details.put("reason", reason.strip());
        }
        audit.record(new AuditEvent(adminId, status == UserStatus.DELETED ? AuditAction.ADMIN_USER_DELETED
                : AuditAction.ADMIN_USER_STATUS_CHANGED, "user", userId.toString(), details));
        return users.findById(userId).orElseThrow(notFound());
    }

    @Override
    @Transactional
    public Account changeRole(UUID adminId, UUID userId, UserRole role) {
        if (adminId.equals(userId) && role != UserRole.ADMIN) {
            throw new AccountsException(Reason.CANNOT_REMOVE_OWN_ADMIN,
                    "you cannot remove your own admin role; ask another admin", "role");
        }
        Account before = users.lockById(userId).orElseThrow(notFound());
        if (before.role() == role) {
            return before;
        }
        users.setRole(userId, role);
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_USER_ROLE_CHANGED, "user", userId.toString(), Map.of(
                "targetUserId", userId.toString(), "email", before.email(),
                "oldRole", before.role().dbValue(), "newRole", role.dbValue())));
        return users.findById(userId).orElseThrow(notFound());
    }

    @Override
    @Transactional
    public void deleteByAdmin(UUID adminId, UUID userId) {
        if (adminId.equals(userId)) {
            throw new AccountsException(Reason.CANNOT_DELETE_SELF, "you cannot delete your own account; ask another admin",
                    null);
        }
        changeStatus(adminId, userId, UserStatus.DELETED, null);
    }

    @Override
    public NotificationPreferences notificationPreferences(UUID userId) {
        return notificationPreferences.find(userId).orElse(NotificationPreferences.DEFAULTS);
    }

    @Override
    @Transactional
    public NotificationPreferences setNotificationPreferences(UUID userId, NotificationPreferences p) {
        users.findById(userId).orElseThrow(notFound());
        notificationPreferences.save(userId, p);
        audit.record(AuditEvent.ofUser(userId, AuditAction.NOTIFICATION_PREFERENCES_CHANGED, Map.of(
                "lowBalance", String.valueOf(p.lowBalance()), "weeklyReport", String.valueOf(p.weeklyReport()),
                "securityAlerts", String.valueOf(p.securityAlerts()))));
        return p;
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public void deleteOwnAccount(UUID userId, String password) {
        Account account = users.lockById(userId).orElseThrow(notFound());
        String hash = users.findPasswordHash(userId).orElseThrow(notFound());
        if (!passwords.matches(password, hash)) {
            // Like a wrong login password: a stolen session must not guess its way to deleting the account.
            recordFailure(emailThrottleKey(account.email()), null);
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "password is wrong", "password");
        }
        if (account.role() == UserRole.ADMIN) {
            throw new AccountsException(Reason.CANNOT_DELETE_SELF,
                    "an admin cannot delete their own account; ask another admin to remove your admin role first", null);
        }
        users.setStatus(userId, UserStatus.DELETED);
        audit.record(new AuditEvent(userId, AuditAction.ACCOUNT_DELETED, "user", userId.toString(),
                Map.of("email", account.email())));
        endSessionsAudited(userId, null, "account_deleted");
    }

    @Override
    public AccountStats stats() {
        return users.stats();
    }

    private void sendVerification(Account account) {
        String token = SecureTokens.randomHex(TOKEN_BYTES);
        accountTokens.replace(account.id(), Purpose.EMAIL_VERIFICATION, SecureTokens.sha256Hex(token),
                VERIFICATION_TOKEN_LIFETIME);
        mail.enqueue(mails.verification(account, token));
    }

    private static AccountsException accountLocked(Instant until) {
        return new AccountsException(Reason.ACCOUNT_LOCKED,
                "account locked after too many failed logins; " + retryAt(until), null);
    }

    private static String retryAt(Instant until) {
        long seconds = Math.max(1, Duration.between(Instant.now(), until).toSeconds());
        return "retry after " + until + " (in " + seconds + " s)";
    }

    private static AccountsException invalidToken(String what) {
        return new AccountsException(Reason.INVALID_TOKEN, what + " is invalid, used or expired", "token");
    }

    private static java.util.function.Supplier<AccountsException> notFound() {
        return () -> new AccountsException(Reason.NOT_FOUND, "no such account", null);
    }

    private static String emailThrottleKey(String normalizedEmail) {
        return "email:" + SecureTokens.sha256Hex(normalizedEmail);
    }

    private static @Nullable HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a
                ? a.getRequest() : null;
    }

    private static String normalize(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static AuthenticatedUser principal(Account a) {
        return new AuthenticatedUser(a.id(), a.customerId(), a.email(), a.role().dbValue());
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
