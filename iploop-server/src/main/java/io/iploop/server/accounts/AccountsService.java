package io.iploop.server.accounts;

import java.util.Optional;
import java.util.UUID;

/**
 * The accounts feature's public API (seed 001 §4, §6.1): creating accounts, logging in, reading
 * and changing one's own account. Every method that reads or changes an account takes its id.
 * Thread-safe.
 */
public interface AccountsService {

    /**
     * Creates an account (normalising the e-mail to lower case) and subscribes it to the default
     * plan. @throws AccountsException {@code EMAIL_TAKEN} when the e-mail is registered already
     */
    Account create(NewAccount account);

    /** Creates a customer account and logs it in (seed 001 §4.1: registration returns a JWT). */
    LoginResult register(NewAccount account);

    /**
     * Checks e-mail and password, records the login time and issues a JWT.
     *
     * @throws AccountsException {@code INVALID_CREDENTIALS} for an unknown e-mail or a wrong password
     *     (the same message for both), {@code ACCOUNT_SUSPENDED} for a non-active account
     */
    LoginResult login(String email, String password);

    /** The account with this id, if any. */
    Optional<Account> find(UUID userId);

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
}
