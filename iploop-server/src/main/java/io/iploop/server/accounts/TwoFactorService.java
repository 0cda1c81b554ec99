package io.iploop.server.accounts;

import java.util.List;
import java.util.UUID;

/**
 * TOTP two-factor authentication with backup codes, as the account's owner manages it. Thread-safe.
 */
public interface TwoFactorService {

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
}
