package io.iploop.server.accounts;

import java.util.Optional;
import java.util.UUID;

/**
 * What other features need from the accounts feature ({@code docs/architecture.md}):
 * look an account up, create one (first start), promote a customer to operator, the counts for the
 * admin dashboard. The account's own flows (sign-in, password, e-mail verification, profile, 2FA)
 * and the admin's user management are separate interfaces used by the accounts controllers and the
 * dashboard pages ({@link SignInService}, {@link PasswordService}, {@link EmailVerificationService},
 * {@link ProfileService}, {@link TwoFactorService}, {@link AccountAdminService}); the split follows
 * Kill Bill's internal/user API. Every method that reads or changes an account takes its id.
 * Thread-safe.
 */
public interface AccountsService {

    /**
     * Creates an account (normalising the e-mail to lower case) and publishes {@link AccountRegistered}
     * ({@code selfRegistered} false) in the same transaction, from which the plans feature subscribes it
     * to the sign-up plan an admin configured.
     * @throws AccountsException {@code EMAIL_TAKEN} when the e-mail is registered already
     */
    Account create(NewAccount account);

    /** The account with this id, if any. */
    Optional<Account> find(UUID userId);

    /**
     * The account whose public customer id ({@code cust_…}, any case) is {@code customerId}, if any;
     * for callers that only know the id a proxy client sent (the pool's goproxy hooks,
     * docs/upstream-pool.md#goproxy-compatible-hooks).
     */
    Optional<Account> findByCustomerId(String customerId);

    /** The active account with this e-mail (any case), if any. */
    Optional<Account> findActiveByEmail(String email);

    /** Number of accounts (any status); 0 on a fresh installation. */
    long count();

    /** The oldest admin account, if any. */
    Optional<Account> firstAdmin();

    /** Promotes a customer to {@code operator}; operators and admins keep their role. */
    void becomeOperator(UUID userId);

    /** Sets the account's status (admin actions, tests). */
    void setStatus(UUID userId, UserStatus status);

    /** Account counts for the admin dashboard. */
    AccountStats stats();

    /**
     * The declared use case (docs/operator-transparency.md#customer-categories) of each of these
     * accounts, in one query: every id given is a key, its value one of {@link UseCases#ALL}, or
     * {@link UseCases#UNDECLARED} for an account without one or an unknown id. For showing operators
     * the categories of the customers their devices carried, never who they were.
     */
    java.util.Map<UUID, String> useCases(java.util.Collection<UUID> userIds);
}
