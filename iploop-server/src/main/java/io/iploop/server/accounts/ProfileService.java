package io.iploop.server.accounts;

import java.util.UUID;

/**
 * What the owner changes on their own account: profile, notification preferences,
 * deleting the account. Thread-safe.
 */
public interface ProfileService {

    /** Changes first and last name, company and phone (docs/product/accounts.md#profile-and-settings). @throws AccountsException {@code NOT_FOUND} */
    Account updateProfile(UUID userId, ProfileUpdate update);

    /**
     * The account's e-mail notification preferences (docs/product/accounts.md#profile-and-settings), {@link NotificationPreferences#DEFAULTS}
     * when it never saved any.
     */
    NotificationPreferences notificationPreferences(UUID userId);

    /**
     * Saves the account's e-mail notification preferences. Audited.
     *
     * @throws AccountsException {@code NOT_FOUND}
     */
    NotificationPreferences setNotificationPreferences(UUID userId, NotificationPreferences preferences);

    /**
     * Accounts with the daily digest on ({@link NotificationPreferences#dailyDigest}), ordered by id:
     * at most {@code limit} ids greater than {@code after} (null: from the first), for paging.
     */
    java.util.List<UUID> dailyDigestSubscribers(@org.jspecify.annotations.Nullable UUID after, int limit);

    /**
     * The owner deletes their own account (docs/product/accounts.md#account-deletion): the account is
     * erased as {@link PrivacyService#erase} describes (docs/privacy.md#erasure): personal data
     * anonymised by every feature, status {@code deleted}, every session ends, so its tokens get 401
     * at once, and the proxy refuses its keys once the gateway's 5 s credential cache expires;
     * ledger entries, invoices and credit notes stay. Audited.
     *
     * @param secondFactor a TOTP or backup code, required when the account uses 2FA; null otherwise
     * @throws AccountsException {@code INVALID_CREDENTIALS} (field {@code password}) for a wrong
     *     password (counts toward the login lockout); {@code TWO_FACTOR_REQUIRED} or {@code
     *     INVALID_TWO_FACTOR_CODE} (field {@code totpCode}); {@code CANNOT_DELETE_SELF} for an admin, who
     *     must first be demoted by another admin so the platform never loses its last admin;
     *     {@code NOT_FOUND}; a 409 naming what must finish first (a pending cash-out)
     */
    void deleteOwnAccount(UUID userId, String password, @org.jspecify.annotations.Nullable String secondFactor);

    /** {@link #deleteOwnAccount(UUID, String, String)} for an account without 2FA. */
    default void deleteOwnAccount(UUID userId, String password) {
        deleteOwnAccount(userId, password, null);
    }

    /** The account's declared use case (one of {@link UseCases#ALL}), or null when undeclared. @throws AccountsException {@code NOT_FOUND} */
    @org.jspecify.annotations.Nullable String useCase(UUID userId);

    /**
     * Declares the account's use case (docs/operator-transparency.md#customer-categories); null clears
     * it. Audited ({@code profile_updated}, details: useCase old and new).
     *
     * @return the use case now stored, or null
     * @throws AccountsException {@code INVALID_USE_CASE} (field {@code useCase}) for a value not in
     *     {@link UseCases#ALL}; {@code NOT_FOUND}
     */
    @org.jspecify.annotations.Nullable String setUseCase(UUID userId, @org.jspecify.annotations.Nullable String useCase);
}
