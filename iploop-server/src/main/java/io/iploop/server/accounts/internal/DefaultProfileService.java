package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.NotificationPreferences;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.ProfileUpdate;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** {@link ProfileService}: the owner's profile, notification preferences and account deletion. Thread-safe. */
@Service
class DefaultProfileService implements ProfileService {

    private final UserRepository users;
    private final NotificationPreferencesRepository notificationPreferences;
    private final PasswordEncoder passwords;
    private final LoginThrottle failures;
    private final SessionIssuer issuer;
    private final AuditService audit;

    DefaultProfileService(UserRepository users, NotificationPreferencesRepository notificationPreferences,
            PasswordEncoder passwords, LoginThrottle failures, SessionIssuer issuer, AuditService audit) {
        this.users = users;
        this.notificationPreferences = notificationPreferences;
        this.passwords = passwords;
        this.failures = failures;
        this.issuer = issuer;
        this.audit = audit;
    }

    @Override
    @Transactional
    public Account updateProfile(UUID userId, ProfileUpdate u) {
        Account account = users.updateProfile(userId, u.firstName().strip(), u.lastName().strip(),
                        Accounts.blankToNull(u.company()), Accounts.blankToNull(u.phone()))
                .orElseThrow(Accounts.notFound());
        audit.record(AuditEvent.ofUser(userId, AuditAction.PROFILE_UPDATED, Map.of()));
        return account;
    }

    @Override
    public NotificationPreferences notificationPreferences(UUID userId) {
        return notificationPreferences.find(userId).orElse(NotificationPreferences.DEFAULTS);
    }

    @Override
    public java.util.List<UUID> dailyDigestSubscribers(@org.jspecify.annotations.Nullable UUID after, int limit) {
        return notificationPreferences.dailyDigestSubscribers(after, limit);
    }

    @Override
    @Transactional
    public NotificationPreferences setNotificationPreferences(UUID userId, NotificationPreferences p) {
        users.findById(userId).orElseThrow(Accounts.notFound());
        notificationPreferences.save(userId, p);
        audit.record(AuditEvent.ofUser(userId, AuditAction.NOTIFICATION_PREFERENCES_CHANGED, Map.of(
                "lowBalance", String.valueOf(p.lowBalance()), "weeklyReport", String.valueOf(p.weeklyReport()),
                "securityAlerts", String.valueOf(p.securityAlerts()))));
        return p;
    }

    @Override
    @Transactional(noRollbackFor = AccountsException.class)
    public void deleteOwnAccount(UUID userId, String password) {
        Account account = users.lockById(userId).orElseThrow(Accounts.notFound());
        String hash = users.findPasswordHash(userId).orElseThrow(Accounts.notFound());
        if (!passwords.matches(password, hash)) {
            // Like a wrong login password: a stolen session must not guess its way to deleting the account.
            failures.recordFailureForEmail(account.email());
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "password is wrong", "password");
        }
        if (account.role() == UserRole.ADMIN) {
            throw new AccountsException(Reason.CANNOT_DELETE_SELF,
                    "an admin cannot delete their own account; ask another admin to remove your admin role first", null);
        }
        users.setStatus(userId, UserStatus.DELETED);
        audit.record(new AuditEvent(userId, AuditAction.ACCOUNT_DELETED, "user", userId.toString(),
                Map.of("email", account.email())));
        issuer.endAll(userId, null, "account_deleted");
    }

    @Override
    public @org.jspecify.annotations.Nullable String useCase(UUID userId) {
        return users.useCase(userId).orElseThrow(Accounts.notFound()).orElse(null);
    }

    @Override
    @Transactional
    public @org.jspecify.annotations.Nullable String setUseCase(UUID userId, @org.jspecify.annotations.Nullable String useCase) {
        if (useCase != null && !io.iploop.server.accounts.UseCases.isValid(useCase)) {
            throw new AccountsException(Reason.INVALID_USE_CASE, "useCase: '" + useCase + "' (expected one of "
                    + String.join(", ", io.iploop.server.accounts.UseCases.ALL) + ", or null)", "useCase");
        }
        String old = users.setUseCase(userId, useCase).orElseThrow(Accounts.notFound()).orElse(null);
        if (!java.util.Objects.equals(old, useCase)) {
            audit.record(AuditEvent.ofUser(userId, AuditAction.PROFILE_UPDATED, Map.of(
                    "useCase.old", old == null ? "" : old, "useCase.new", useCase == null ? "" : useCase)));
        }
        return useCase;
    }
}
