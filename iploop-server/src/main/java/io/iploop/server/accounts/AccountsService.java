package io.iploop.server.accounts;

import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The accounts feature's public API (seed 001 §4, §6.1): creating accounts, logging in and out,
 * password reset, e-mail verification, reading and changing one's own account. Every method that
 * reads or changes an account takes its id. Thread-safe.
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
     * Creates a customer account, mails it an e-mail verification link and logs it in (seed 001
     * §4.1: registration returns a JWT; §4.4).
     */
    LoginResult register(NewAccount account);

    /**
     * Checks e-mail and password, records the login time and issues a JWT. Failed attempts are
     * counted per e-mail and per client IP (seed 000 §9.7); a successful login resets the e-mail's count.
     *
     * @param clientIp the caller's address, or null when unknown (then only the e-mail is throttled)
     * @throws AccountsException {@code INVALID_CREDENTIALS} for an unknown e-mail or a wrong password
     *     (the same message for both), {@code ACCOUNT_SUSPENDED} for a non-active account,
     *     {@code ACCOUNT_LOCKED} after too many failures for the e-mail, {@code TOO_MANY_ATTEMPTS}
     *     after too many failures from the IP
     */
    LoginResult login(String email, String password, @Nullable String clientIp);

    /**
     * Blacklists {@code bearerToken} until it expires (seed 001 §4.5); afterwards it gets 401.
     * An invalid or expired token is ignored.
     */
    void logout(String bearerToken);

    /** The account with this id, if any. */
    Optional<Account> find(UUID userId);

    /** Changes first and last name, company and phone (seed 001 §5.10). @throws AccountsException {@code NOT_FOUND} */
    Account updateProfile(UUID userId, ProfileUpdate update);

    /** Number of accounts (any status); 0 on a fresh installation. */
    long count();

    /** The oldest admin account, if any. */
    Optional<Account> firstAdmin();

    /** Promotes a customer to {@code operator}; operators and admins keep their role. */
    void becomeOperator(UUID userId);

    /** Sets the account's status (admin actions, tests). */
    void setStatus(UUID userId, UserStatus status);

    /**
     * Changes the password after checking the current one and clears the must-change flag.
     *
     * @throws AccountsException {@code INVALID_CREDENTIALS} when {@code currentPassword} is wrong
     */
    void changePassword(UUID userId, String currentPassword, String newPassword);

    /**
     * Mails a password-reset link valid for 1 h (seed 001 §4.3) when an active account has this
     * e-mail; does nothing otherwise, and the caller cannot tell the difference.
     */
    void requestPasswordReset(String email);

    /** @throws AccountsException {@code INVALID_TOKEN} unless {@code token} is an unused, unexpired reset token */
    void checkPasswordResetToken(String token);

    /**
     * Sets a new password with a reset token, which is then used up (single use).
     *
     * @throws AccountsException {@code INVALID_TOKEN} for an unknown, used or expired token
     */
    void resetPassword(String token, String newPassword);

    /**
     * Marks the e-mail of the token's account as verified (seed 001 §4.4); the token is used up.
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

    // Admin operations (seed 001 §7.6, §13). The caller checks the admin role; these methods audit
    // each change with the acting admin as the entry's user and the target as its resource.

    /**
     * Accounts matching {@code search}, one page, with the total over all pages.
     *
     * @throws AccountsException {@code INVALID_QUERY} naming {@code page} or {@code limit} when out of range
     */
    AccountPage search(AccountSearch search);

    /**
     * Creates an account for someone else (seed 001 §7.6 "Create user"): the admin never chooses or
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
