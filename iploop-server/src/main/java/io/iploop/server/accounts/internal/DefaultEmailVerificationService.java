package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.EmailVerificationService;
import io.iploop.server.accounts.internal.AccountTokenRepository.Purpose;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.SecureTokens;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@link EmailVerificationService}: verification links (valid 24 h, single use, stored as SHA-256)
 * go out through the mail outbox in the caller's transaction. Thread-safe.
 */
@Service
class DefaultEmailVerificationService implements EmailVerificationService {

    static final Duration VERIFICATION_TOKEN_LIFETIME = Duration.ofHours(24);

    private final UserRepository users;
    private final AccountTokenRepository accountTokens;
    private final MailService mail;
    private final AccountMails mails;
    private final AuditService audit;

    DefaultEmailVerificationService(UserRepository users, AccountTokenRepository accountTokens, MailService mail,
            AccountMails mails, AuditService audit) {
        this.users = users;
        this.accountTokens = accountTokens;
        this.mail = mail;
        this.mails = mails;
        this.audit = audit;
    }

    @Override
    @Transactional
    public void verifyEmail(String token) {
        UUID userId = accountTokens.consume(Purpose.EMAIL_VERIFICATION, SecureTokens.sha256Hex(token))
                .orElseThrow(() -> Accounts.invalidToken("this verification link"));
        users.markEmailVerified(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.EMAIL_VERIFIED, Map.of()));
    }

    @Override
    @Transactional
    public void resendVerification(UUID userId) {
        Account account = users.findById(userId).orElseThrow(Accounts.notFound());
        if (account.emailVerified()) {
            throw new AccountsException(Reason.EMAIL_ALREADY_VERIFIED, "the e-mail address is verified already", null);
        }
        send(account);
    }

    /** Mails a new verification link to the account, invalidating earlier ones. */
    void send(Account account) {
        String token = SecureTokens.randomHex(Accounts.TOKEN_BYTES);
        accountTokens.replace(account.id(), Purpose.EMAIL_VERIFICATION, SecureTokens.sha256Hex(token),
                VERIFICATION_TOKEN_LIFETIME);
        mail.enqueue(mails.verification(account, token));
    }
}
