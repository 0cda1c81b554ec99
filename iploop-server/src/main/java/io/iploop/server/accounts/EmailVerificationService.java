package io.iploop.server.accounts;

import java.util.UUID;

/**
 * Verifying the account's e-mail address with a mailed link. Thread-safe.
 */
public interface EmailVerificationService {

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
}
