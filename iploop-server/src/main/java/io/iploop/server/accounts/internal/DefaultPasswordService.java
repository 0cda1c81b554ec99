package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.PasswordService;
import io.iploop.server.accounts.internal.AccountTokenRepository.Purpose;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.SecureTokens;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link PasswordService}: password changes and mailed reset links. Either ends the account's other
 * sessions. Thread-safe.
 */
@Service
class DefaultPasswordService implements PasswordService {

    /** Reset links expire 1 hour after they were issued (docs/product/accounts.md#password-reset). */
    static final Duration RESET_TOKEN_LIFETIME = Duration.ofHours(1);

    private final UserRepository users;
    private final AccountTokenRepository accountTokens;
    private final LoginThrottleRepository throttle;
    private final PasswordEncoder passwords;
    private final SessionIssuer issuer;
    private final MailService mail;
    private final AccountMails mails;
    private final AuditService audit;

    DefaultPasswordService(UserRepository users, AccountTokenRepository accountTokens,
            LoginThrottleRepository throttle, PasswordEncoder passwords, SessionIssuer issuer, MailService mail,
            AccountMails mails, AuditService audit) {
        this.users = users;
        this.accountTokens = accountTokens;
        this.throttle = throttle;
        this.passwords = passwords;
        this.issuer = issuer;
        this.mail = mail;
        this.mails = mails;
        this.audit = audit;
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
        String hash = users.findPasswordHash(userId).orElseThrow(Accounts.notFound());
        if (!passwords.matches(currentPassword, hash)) {
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "current password is wrong", "currentPassword");
        }
        if (newPassword.equals(currentPassword)) {
            throw new AccountsException(Reason.WEAK_PASSWORD, "new password must differ from the current one",
                    "newPassword");
        }
        users.setPassword(userId, passwords.encode(newPassword));
        audit.record(AuditEvent.ofUser(userId, AuditAction.PASSWORD_CHANGED, Map.of()));
        issuer.endAll(userId, currentSessionId, "password_changed");
    }

    @Override
    @Transactional
    public void requestPasswordReset(String email) {
        users.findActiveByEmail(Accounts.normalize(email)).ifPresent(account -> {
            String token = SecureTokens.randomHex(Accounts.TOKEN_BYTES);
            accountTokens.replace(account.id(), Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token),
                    RESET_TOKEN_LIFETIME);
            mail.enqueue(mails.passwordReset(account, token));
            audit.record(AuditEvent.ofUser(account.id(), AuditAction.PASSWORD_RESET_REQUESTED, Map.of()));
        });
    }

    @Override
    public void checkPasswordResetToken(String token) {
        if (!accountTokens.isValid(Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token))) {
            throw Accounts.invalidToken("this password reset link");
        }
    }

    @Override
    @Transactional
    public void resetPassword(String token, String newPassword) {
        UUID userId = accountTokens.consume(Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token))
                .orElseThrow(() -> Accounts.invalidToken("this password reset link"));
        Account account = users.findById(userId).orElseThrow(Accounts.notFound());
        users.setPassword(userId, passwords.encode(newPassword));
        // The token came by mail, so its owner reads the mailbox: that verifies the address too
        // (and lets an admin-invited user, whose invitation is a reset link, start verified).
        users.markEmailVerified(userId);
        throttle.resetEmail(Accounts.emailThrottleKey(account.email(), null));
        audit.record(AuditEvent.ofUser(userId, AuditAction.PASSWORD_RESET, Map.of()));
        issuer.endAll(userId, null, "password_reset");
    }
}
