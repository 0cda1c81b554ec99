package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.NotificationPreferences;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.accounts.PrivacyService;
import io.iploop.server.accounts.ProfileUpdate;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** {@link ProfileService}: the owner's profile, notification preferences and account deletion (erasure, {@link PrivacyService}). Thread-safe. */
@Service
class DefaultProfileService implements ProfileService {

    private final UserRepository users;
    private final NotificationPreferencesRepository notificationPreferences;
    private final AuditService audit;
    private final ObjectProvider<PrivacyService> privacy;

    DefaultProfileService(UserRepository users, NotificationPreferencesRepository notificationPreferences,
            AuditService audit, ObjectProvider<PrivacyService> privacy) {
        this.users = users;
        this.notificationPreferences = notificationPreferences;
        this.audit = audit;
        this.privacy = privacy;
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
    public void deleteOwnAccount(UUID userId, String password, @org.jspecify.annotations.Nullable String secondFactor) {
        privacy.getObject().erase(userId, password, secondFactor);
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
