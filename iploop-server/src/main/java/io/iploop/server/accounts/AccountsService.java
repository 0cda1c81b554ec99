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

    /**
     * Creates an account (normalising the e-mail to lower case) and subscribes it to the default
     * plan. @throws AccountsException {@code EMAIL_TAKEN} when the e-mail is registered already
     */
    Account create(NewAccount account);

    /**
     * Creates a customer account, mails it an e-mail verification link and logs it in (seed 001
     * §4.1: registration returns a JWT; §4.4).
     */
    default LoginResult register(NewAccount account) {
        return register(account, null);
    }

    /**
     * Like {@link #register(NewAccount)}, publishing {@link AccountRegistered} with the referral
     * code of {@code POST /api/auth/register?ref=CODE} (seed 000 §3.7) inside the transaction.
     *
     * @param referralCode as given by the caller, or null
     * @throws io.iploop.server.platform.ApiException whatever a listener refuses (an unknown code)
     */
    LoginResult register(NewAccount account, @Nullable String referralCode);

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
}
