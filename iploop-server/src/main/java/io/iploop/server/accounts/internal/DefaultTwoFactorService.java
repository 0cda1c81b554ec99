package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.TwoFactorService;
import io.iploop.server.accounts.TwoFactorSetup;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.PlatformSecrets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link TwoFactorService}: setting up, enabling and disabling TOTP and regenerating backup codes.
 * A wrong code or password counts toward the login lockout ({@link LoginThrottle}). Thread-safe.
 */
@Service
class DefaultTwoFactorService implements TwoFactorService {

    private final UserRepository users;
    private final SecondFactors secondFactors;
    private final TotpCodes totp;
    private final PlatformSecrets secrets;
    private final PasswordEncoder passwords;
    private final LoginThrottle failures;
    private final AuditService audit;

    DefaultTwoFactorService(UserRepository users, SecondFactors secondFactors, TotpCodes totp, PlatformSecrets secrets,
            PasswordEncoder passwords, LoginThrottle failures, AuditService audit) {
        this.users = users;
        this.secondFactors = secondFactors;
        this.totp = totp;
        this.secrets = secrets;
        this.passwords = passwords;
        this.failures = failures;
        this.audit = audit;
    }

    @Override
    @Transactional
    public TwoFactorSetup setUpTwoFactor(UUID userId) {
        Account account = users.findById(userId).orElseThrow(Accounts.notFound());
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
        Account account = users.findById(userId).orElseThrow(Accounts.notFound());
        if (account.twoFactorEnabled()) {
            throw new AccountsException(Reason.TWO_FACTOR_ALREADY_ENABLED, "two-factor authentication is on already",
                    null);
        }
        if (users.findTotp(userId).map(UserRepository.TotpState::encryptedSecret).isEmpty()) {
            throw new AccountsException(Reason.TWO_FACTOR_NOT_SET_UP,
                    "no authenticator set up yet: call POST /api/auth/2fa/setup first", null);
        }
        if (!secondFactors.acceptTotp(userId, code.strip())) {
            throw wrongCode(account);
        }
        users.enableTotp(userId);
        List<String> codes = secondFactors.issueBackupCodes(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.TWO_FACTOR_ENABLED, Map.of()));
        return codes;
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public void disableTwoFactor(UUID userId, String code, String password) {
        Account account = requireTwoFactor(userId);
        String hash = users.findPasswordHash(userId).orElseThrow(Accounts.notFound());
        if (!passwords.matches(password, hash)) {
            failures.recordFailureForEmail(account.email());
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "password is wrong", "password");
        }
        if (!secondFactors.acceptEither(userId, code)) {
            throw wrongCode(account);
        }
        secondFactors.clear(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.TWO_FACTOR_DISABLED, Map.of()));
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public List<String> regenerateBackupCodes(UUID userId, String code) {
        Account account = requireTwoFactor(userId);
        if (!secondFactors.acceptTotp(userId, code.strip())) {
            throw wrongCode(account);
        }
        List<String> codes = secondFactors.issueBackupCodes(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.BACKUP_CODES_REGENERATED, Map.of()));
        return codes;
    }

    private Account requireTwoFactor(UUID userId) {
        Account account = users.findById(userId).orElseThrow(Accounts.notFound());
        if (!account.twoFactorEnabled()) {
            throw new AccountsException(Reason.TWO_FACTOR_NOT_ENABLED, "two-factor authentication is off", null);
        }
        return account;
    }

    /** Counts the failure toward the login lockout (docs/product/accounts.md#brute-force-protection) and returns the error to throw. */
    private AccountsException wrongCode(Account account) {
        @Nullable Instant lockedNow = failures.recordFailureForEmail(account.email());
        return new AccountsException(Reason.INVALID_CODE, "wrong, expired or already used code"
                + (lockedNow == null ? "" : "; too many failures, logins are locked: " + Accounts.retryAt(lockedNow)),
                "code");
    }
}
