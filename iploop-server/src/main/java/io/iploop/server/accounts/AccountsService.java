package io.iploop.server.accounts;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The accounts feature's public API (docs/product/accounts.md#login, #account-statuses-and-roles, #two-factor-authentication, #login-sessions): creating accounts,
 * logging in and out, password reset, e-mail verification, reading and changing one's own account,
 * TOTP two-factor authentication with backup codes, and login sessions. Every method that reads or
 * changes an account takes its id. Thread-safe.
 */
public interface AccountsService {

    /** Largest page of {@link #search}. */
    int MAX_PAGE_SIZE = 200;

    /**
     * Creates an account (normalising the e-mail to lower case) and subscribes it to the sign-up
     * plan an admin configured ({@link io.iploop.server.plans.PlansService#subscribeNewAccount}).
     * @throws AccountsException {@code EMAIL_TAKEN} when the e-mail is registered already
     */
    Account create(NewAccount account);

    /**
     * Creates a customer account, mails it an e-mail verification link and logs it in (registration returns a
     * JWT: docs/product/accounts.md#registration, #e-mail-verification).
     */
    default LoginResult register(NewAccount account) {
        return register(account, null);
    }

    /**
     * Like {@link #register(NewAccount)}, publishing {@link AccountRegistered} with the referral
     * code of {@code POST /api/auth/register?ref=CODE} (docs/product/earn.md#referrals) inside the transaction.
     *
     * @param referralCode as given by the caller, or null
     * @throws io.iploop.server.platform.ApiException whatever a listener refuses (an unknown code)
     */
    LoginResult register(NewAccount account, @Nullable String referralCode);

    /**
     * Checks e-mail and password, records the login time and issues a JWT. Failed attempts are
     * counted per e-mail and per client IP (docs/product/accounts.md#brute-force-protection); a successful login resets the e-mail's count.
     *
     * @param clientIp the caller's address, or null when unknown (then only the e-mail is throttled)
     * @throws AccountsException {@code INVALID_CREDENTIALS} for an unknown e-mail or a wrong password
     *     (the same message for both), {@code ACCOUNT_SUSPENDED} for a non-active account,
     *     {@code ACCOUNT_LOCKED} after too many failures for the e-mail, {@code TOO_MANY_ATTEMPTS}
     *     after too many failures from the IP
     */
    LoginResult login(String email, String password, @Nullable String clientIp);

    /**
     * Like {@link #login(String, String, String)}, with a second factor when the account uses 2FA
     * (docs/product/accounts.md#two-factor-authentication). Every successful login opens a session (docs/product/accounts.md#login-sessions) whose id the JWT
     * carries; its {@code amr} says whether a second factor was used. A failed second factor counts
     * toward the lockout like a wrong password. A TOTP code of a time step already used for this
     * account is refused (replay); a backup code works once.
     *
     * @throws AccountsException as the three-argument form, and {@code TWO_FACTOR_REQUIRED} when
     *     the account uses 2FA and neither code was sent, {@code INVALID_TWO_FACTOR_CODE} for a
     *     wrong, reused or expired code
     */
    LoginResult login(LoginAttempt attempt);

    /**
     * Blacklists {@code bearerToken} until it expires (docs/product/accounts.md#tokens-and-logout) and ends its session;
     * afterwards it gets 401. An invalid or expired token is ignored.
     */
    void logout(String bearerToken);

    /** The account with this id, if any. */
    Optional<Account> find(UUID userId);

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
     * The owner deletes their own account (docs/product/accounts.md#account-deletion): after checking the
     * password it is soft-deleted like {@link #deleteByAdmin} (status {@code deleted}, the row stays
     * for the audit log and usage history), every session ends, so its tokens get 401 at once, and
     * the proxy refuses its keys once the gateway's 5 s credential cache expires. Audited.
     *
     * @throws AccountsException {@code INVALID_CREDENTIALS} (field {@code password}) for a wrong
     *     password (counts toward the login lockout); {@code CANNOT_DELETE_SELF} for an admin, who
     *     must first be demoted by another admin so the platform never loses its last admin;
     *     {@code NOT_FOUND}
     */
    void deleteOwnAccount(UUID userId, String password);

    /** Number of accounts (any status); 0 on a fresh installation. */
    long count();

    /** The oldest admin account, if any. */
    Optional<Account> firstAdmin();

    /** Promotes a customer to {@code operator}; operators and admins keep their role. */
    void becomeOperator(UUID userId);

    /** Sets the account's status (admin actions, tests). */
    void setStatus(UUID userId, UserStatus status);

    /**
     * Changes the password after checking the current one, clears the must-change flag and ends
     * every session of the account (docs/product/accounts.md#login-sessions).
     *
     * @throws AccountsException {@code INVALID_CREDENTIALS} when {@code currentPassword} is wrong
     */
    void changePassword(UUID userId, String currentPassword, String newPassword);

    /**
     * Like {@link #changePassword(UUID, String, String)} but keeps {@code currentSessionId} open:
     * a password change ends all other sessions.
     */
    void changePassword(UUID userId, @Nullable UUID currentSessionId, String currentPassword, String newPassword);

    /**
     * Mails a password-reset link valid for 1 h (docs/product/accounts.md#password-reset) when an active account has this
     * e-mail; does nothing otherwise, and the caller cannot tell the difference.
     */
    void requestPasswordReset(String email);

    /** @throws AccountsException {@code INVALID_TOKEN} unless {@code token} is an unused, unexpired reset token */
    void checkPasswordResetToken(String token);

    /**
     * Sets a new password with a reset token, which is then used up (single use), and ends every
     * session of the account.
     *
     * @throws AccountsException {@code INVALID_TOKEN} for an unknown, used or expired token
     */
    void resetPassword(String token, String newPassword);

    /**
     * Marks the e-mail of the token's account as verified (docs/product/accounts.md#e-mail-verification); the token is used up.
     *
     * @throws AccountsException {@code INVALID_TOKEN} for an unknown, used or expired token
     */
    void verifyEmail(String token);

    /**
     * Mails a new verification link, invalidating earlier ones.
     *
     * @throws AccountsException {@code EMAIL_ALREADY_VERIFIED}
     */
    void resendVerification(UUID userId);

    /**
     * Starts 2FA setup (docs/product/accounts.md#two-factor-authentication): a new random secret, stored AES-256-GCM encrypted and not
     * yet enabled; a later setup replaces a pending one.
     *
     * @throws AccountsException {@code TWO_FACTOR_ALREADY_ENABLED}, {@code NOT_FOUND}
     */
    TwoFactorSetup setUpTwoFactor(UUID userId);

    /**
     * Enables 2FA with a code from the pending secret and returns 8 new backup codes, shown once
     * (only their SHA-256 is stored).
     *
     * @throws AccountsException {@code TWO_FACTOR_NOT_SET_UP}, {@code TWO_FACTOR_ALREADY_ENABLED},
     *     {@code INVALID_CODE} (counts toward the login lockout)
     */
    List<String> enableTwoFactor(UUID userId, String code);

    /**
     * Disables 2FA; needs a current TOTP code (or a backup code) and the password (docs/product/accounts.md#two-factor-authentication).
     *
     * @throws AccountsException {@code TWO_FACTOR_NOT_ENABLED}, {@code INVALID_CREDENTIALS} (field
     *     {@code password}), {@code INVALID_CODE}
     */
    void disableTwoFactor(UUID userId, String code, String password);

    /**
     * Replaces the backup codes with 8 new ones (the old ones stop working); needs a current TOTP code.
     *
     * @throws AccountsException {@code TWO_FACTOR_NOT_ENABLED}, {@code INVALID_CODE}
     */
    List<String> regenerateBackupCodes(UUID userId, String code);

    /**
     * An admin turns 2FA off for a user who lost their authenticator (docs/product/accounts.md#two-factor-authentication); audited for both.
     *
     * @throws AccountsException {@code NOT_FOUND} for an unknown user
     */
    void resetTwoFactor(UUID adminId, UUID userId);

    /** The account's open sessions (not ended, not expired), newest first (docs/product/accounts.md#login-sessions). */
    List<UserSession> sessions(UUID userId);

    /**
     * Ends one of the account's sessions; its token gets 401 from the next request on.
     *
     * @throws AccountsException {@code SESSION_NOT_FOUND} unless an open session with this id
     *     belongs to {@code userId}
     */
    void endSession(UUID userId, UUID sessionId);

    /**
     * "Log out everywhere": ends every open session of the account except {@code keep}.
     *
     * @param keep a session to leave open (the caller's own), or null to end all
     * @return how many sessions were ended
     */
    int endSessions(UUID userId, @Nullable UUID keep);
    // Admin operations (docs/product/admin.md). The caller checks the admin role; these methods audit
    // each change with the acting admin as the entry's user and the target as its resource.

    /**
     * Accounts matching {@code search}, one page, with the total over all pages.
     *
     * @throws AccountsException {@code INVALID_QUERY} naming {@code page} or {@code limit} when out of range
     */
    AccountPage search(AccountSearch search);

    /**
     * Creates an account for someone else (docs/product/admin.md#users): the admin never chooses or
     * sees a password. The new user gets an invitation e-mail with a set-password link valid for
     * {@code 72 h} (the password-reset flow; the e-mail counts as verified once it is used), the way
     * Google Workspace, AWS IAM Identity Center and GitHub invite users: no secret is ever mailed or
     * shown, and an account whose owner never answers has no usable password.
     *
     * @param planId the plan to start on, or null for the sign-up plan
     * @throws AccountsException {@code EMAIL_TAKEN}
     * @throws io.iploop.server.plans.PlansException {@code UNKNOWN_PLAN} (field {@code planId})
     */
    Account createByAdmin(UUID adminId, String email, String firstName, String lastName, @Nullable String company,
            UserRole role, @Nullable String planId);

    /**
     * Sets an account's status (active, suspended, banned, deleted). A non-active account can no
     * longer log in, its bearer tokens are refused at once (401) and the proxy refuses its keys
     * (407) once the gateway's 5 s credential cache expires. Audited with old and new status and
     * the reason.
     *
     * @throws AccountsException {@code NOT_FOUND}; {@code CANNOT_CHANGE_OWN_STATUS} when an admin
     *     would make their own account non-active
     */
    Account changeStatus(UUID adminId, UUID userId, UserStatus status, @Nullable String reason);

    /**
     * Sets an account's role. Demoting an admin makes their admin tokens useless at once (401).
     * Audited with old and new role.
     *
     * @throws AccountsException {@code NOT_FOUND}; {@code CANNOT_REMOVE_OWN_ADMIN} when an admin
     *     would drop their own admin role
     */
    Account changeRole(UUID adminId, UUID userId, UserRole role);

    /**
     * Soft-deletes an account (status {@code deleted}; see {@link #changeStatus}): the row stays so
     * the audit log and usage history keep their user. Audited.
     *
     * @throws AccountsException {@code NOT_FOUND}; {@code CANNOT_DELETE_SELF}
     */
    void deleteByAdmin(UUID adminId, UUID userId);

    /** Account counts for the admin dashboard. */
    AccountStats stats();
}
