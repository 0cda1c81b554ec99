package io.iploop.server.accounts;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Signing up, in and out, and the account's login sessions: used by the accounts REST controllers
 * and the dashboard's auth and settings pages.
 * Thread-safe.
 */
public interface SignInService {

    /**
     * Creates a customer account, mails it an e-mail verification link and logs it in: registration
     * returns a JWT (docs/product/accounts.md#registration, #e-mail-verification). Publishes
     * {@link AccountRegistered} with the referral code of {@code POST /api/auth/register?ref=CODE}
     * (docs/product/earn.md#referrals) inside the transaction, and records the consents to the
     * current terms and privacy policy with time and client IP (docs/privacy.md#consent).
     *
     * @param referralCode as given by the caller, or null
     * @param termsAccepted the person accepted the terms of service and the privacy policy
     * @throws AccountsException {@code TERMS_NOT_ACCEPTED} (400, field {@code acceptTerms}) without
     *     acceptance, before anything is written
     * @throws io.iploop.server.platform.ApiException whatever a listener refuses (an unknown code)
     */
    LoginResult register(NewAccount account, @Nullable String referralCode, boolean termsAccepted);

    /**
     * Like {@link #register(NewAccount, String, boolean)} but opens no login session: the dashboard's sign-up
     * page, whose visitor signs in after verifying the e-mail (a session the browser never received
     * would show as a second device and outlive its logout). Both are limited per client IP and per
     * e-mail domain (docs/product/accounts.md#registration).
     *
     * @throws AccountsException {@code SIGNUP_RATE_LIMITED} (429, with a retry-after) over a sign-up
     *     limit; the same errors as {@link #register(NewAccount, String, boolean)} otherwise
     */
    Account signUp(NewAccount account, @Nullable String referralCode, boolean termsAccepted);

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
}
