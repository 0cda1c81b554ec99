package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.AccountPage;
import io.iploop.server.accounts.AccountSearch;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.accounts.internal.AccountTokenRepository.Purpose;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.mail.MailService;
import io.iploop.server.platform.SecureTokens;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** {@link AccountAdminService}: an admin's user management, every change but the creation audited here. Thread-safe. */
@Service
class DefaultAccountAdminService implements AccountAdminService {

    /** An admin's invitation (a set-password link) lasts longer than a reset: the user did not ask for it. */
    static final Duration INVITATION_LIFETIME = Duration.ofHours(72);

    private final UserRepository users;
    private final AccountCreation creation;
    private final AccountTokenRepository accountTokens;
    private final SecondFactors secondFactors;
    private final MailService mail;
    private final AccountMails mails;
    private final AuditService audit;

    DefaultAccountAdminService(UserRepository users, AccountCreation creation, AccountTokenRepository accountTokens,
            SecondFactors secondFactors, MailService mail, AccountMails mails, AuditService audit) {
        this.users = users;
        this.creation = creation;
        this.accountTokens = accountTokens;
        this.secondFactors = secondFactors;
        this.mail = mail;
        this.mails = mails;
        this.audit = audit;
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
    public Account createByAdmin(String email, String firstName, String lastName, @Nullable String company,
            UserRole role) {
        // Nobody knows this password: the account is usable once its owner sets one via the invitation.
        Account account = creation.insert(new NewAccount(email, SecureTokens.randomHex(Accounts.TOKEN_BYTES), firstName,
                lastName, company, role, false));
        String token = SecureTokens.randomHex(Accounts.TOKEN_BYTES);
        accountTokens.replace(account.id(), Purpose.PASSWORD_RESET, SecureTokens.sha256Hex(token),
                INVITATION_LIFETIME);
        mail.enqueue(mails.invitation(account, token));
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
        Account before = users.lockById(userId).orElseThrow(Accounts.notFound());
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
        return users.findById(userId).orElseThrow(Accounts.notFound());
    }

    @Override
    @Transactional
    public Account changeRole(UUID adminId, UUID userId, UserRole role) {
        if (adminId.equals(userId) && role != UserRole.ADMIN) {
            throw new AccountsException(Reason.CANNOT_REMOVE_OWN_ADMIN,
                    "you cannot remove your own admin role; ask another admin", "role");
        }
        Account before = users.lockById(userId).orElseThrow(Accounts.notFound());
        if (before.role() == role) {
            return before;
        }
        users.setRole(userId, role);
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_USER_ROLE_CHANGED, "user", userId.toString(), Map.of(
                "targetUserId", userId.toString(), "email", before.email(),
                "oldRole", before.role().dbValue(), "newRole", role.dbValue())));
        return users.findById(userId).orElseThrow(Accounts.notFound());
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
    @Transactional
    public void resetTwoFactor(UUID adminId, UUID userId) {
        Account target = users.findById(userId).orElseThrow(Accounts.notFound());
        secondFactors.clear(userId);
        audit.record(AuditEvent.ofUser(userId, AuditAction.TWO_FACTOR_RESET,
                Map.of("adminId", adminId.toString(), "wasEnabled", Boolean.toString(target.twoFactorEnabled()))));
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_TWO_FACTOR_RESET, "user", userId.toString(),
                Map.of("targetUserId", userId.toString(), "targetEmail", target.email())));
    }

    @Override
    @Transactional
    public void verifyEmail(UUID adminId, UUID userId) {
        Account target = users.findById(userId).orElseThrow(Accounts.notFound());
        if (!target.emailVerified()) {
            users.markEmailVerified(userId);
            audit.record(AuditEvent.ofUser(userId, AuditAction.EMAIL_VERIFIED, Map.of("adminId", adminId.toString())));
        }
    }
}
