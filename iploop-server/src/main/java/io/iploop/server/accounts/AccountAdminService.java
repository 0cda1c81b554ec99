package io.iploop.server.accounts;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * User management by an admin. The caller checks the admin role; these methods (except
 * {@link #createByAdmin}) audit each change with the acting admin as the entry's user and the target
 * as its resource. Thread-safe.
 */
public interface AccountAdminService {

    /** Largest page of {@link #search}. */
    int MAX_PAGE_SIZE = 200;

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
     * shown, and an account whose owner never answers has no usable password. Publishes
     * {@link AccountRegistered} (the plans feature subscribes the sign-up plan). Unlike the other
     * methods this one does not audit: the caller (the admin feature, which also chooses the plan)
     * records {@code ADMIN_USER_CREATED} with the plan, in the same transaction.
     *
     * @throws AccountsException {@code EMAIL_TAKEN}; {@code INVALID_ACCOUNT} naming the field
     */
    Account createByAdmin(String email, String firstName, String lastName, @Nullable String company, UserRole role);

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

    /**
     * An admin turns 2FA off for a user who lost their authenticator (docs/product/accounts.md#two-factor-authentication "admin can
     * force-disable 2FA for locked-out users"); audited for both.
     *
     * @throws AccountsException {@code NOT_FOUND} for an unknown user
     */
    void resetTwoFactor(UUID adminId, UUID userId);

    /**
     * An admin marks a user's e-mail as verified (someone who cannot receive the mail, e.g. on an
     * installation without SMTP; docs/product/accounts.md#trial-accounts). Audited as the user's
     * {@code EMAIL_VERIFIED} with the admin's id; a verified address stays verified.
     *
     * @throws AccountsException {@code NOT_FOUND}
     */
    void verifyEmail(UUID adminId, UUID userId);
}
