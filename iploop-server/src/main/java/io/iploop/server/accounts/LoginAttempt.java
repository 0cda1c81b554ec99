package io.iploop.server.accounts;

import org.jspecify.annotations.Nullable;

/**
 * One login attempt (docs/product/accounts.md#login, #two-factor-authentication): e-mail and password, and when the account uses
 * 2FA either a 6-digit TOTP code or a backup code. Immutable.
 *
 * @param totpCode the authenticator app's current code, or null
 * @param backupCode one of the account's unused backup codes (dashes and case ignored), or null
 * @param clientIp the caller's address, or null when unknown (then only the e-mail is throttled)
 * @param userAgent the caller's {@code User-Agent}, or null; kept with the session it opens
 */
public record LoginAttempt(String email, String password, @Nullable String totpCode, @Nullable String backupCode,
        @Nullable String clientIp, @Nullable String userAgent) {

    /** Password only, no second factor. */
    public static LoginAttempt password(String email, String password, @Nullable String clientIp) {
        return new LoginAttempt(email, password, null, null, clientIp, null);
    }
}
