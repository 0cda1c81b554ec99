package io.iploop.server.accounts;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The account's password: change with the current one, or reset with a mailed link.
 * Used by the accounts REST controllers and the dashboard's auth and settings pages. Thread-safe.
 */
public interface PasswordService {

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
}
