package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.platform.RecordViolations;
import io.iploop.server.platform.SecureTokens;
import jakarta.validation.Validator;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Inserts a new account row: the one place that checks the account rules ({@link NewAccount}'s
 * constraints), normalises the e-mail, refuses a taken one, hashes the password and publishes
 * {@link AccountRegistered}, from which the plans feature subscribes the account to the sign-up plan.
 * Callers (sign-up, first start, admin invitation) run it in their transaction and add what their
 * flow needs (verification mail, session, invitation). Thread-safe.
 */
@Component
class AccountCreation {

    /** Public customer id: {@code cust_} + 12 base32 characters (60 random bits). */
    static final String CUSTOMER_ID_PREFIX = "cust_";

    private final UserRepository users;
    private final PasswordEncoder passwords;
    private final Validator validator;
    private final ApplicationEventPublisher events;

    AccountCreation(UserRepository users, PasswordEncoder passwords, Validator validator,
            ApplicationEventPublisher events) {
        this.users = users;
        this.passwords = passwords;
        this.validator = validator;
        this.events = events;
    }

    /**
     * An account created by the platform or an admin, not self-registered; see
     * {@link #insert(NewAccount, boolean, String, String)}.
     */
    Account insert(NewAccount a) {
        return insert(a, false, null, null);
    }

    /**
     * Inserts the account and publishes {@link AccountRegistered} with these details; must run in
     * the caller's transaction, so the listeners' work (the sign-up plan) commits or rolls back with it.
     *
     * @param selfRegistered true for a registration by the user (API or sign-up page)
     * @param referralCode the {@code ref} given at self-registration, or null
     * @param clientIp the registering client's address, or null
     * @throws AccountsException {@code INVALID_ACCOUNT} naming the first field (in component order)
     *     that breaks a rule; {@code EMAIL_TAKEN} (field {@code email}), also when a concurrent insert won
     */
    Account insert(NewAccount a, boolean selfRegistered, @Nullable String referralCode, @Nullable String clientIp) {
        RecordViolations.first(NewAccount.class, validator.validate(a)).ifPresent(v -> {
            throw new AccountsException(Reason.INVALID_ACCOUNT, v.field() + ": " + v.message(), v.field());
        });
        String email = Accounts.normalize(a.email());
        if (users.emailExists(email)) {
            throw emailTaken();
        }
        Account account;
        try {
            account = users.insert(newCustomerId(), email, passwords.encode(a.password()), a.firstName().strip(),
                    a.lastName().strip(), Accounts.blankToNull(a.company()), a.role(), a.mustChangePassword(),
                    selfRegistered);
        } catch (DuplicateKeyException raced) {
            throw emailTaken();
        }
        events.publishEvent(new AccountRegistered(account.id(), account.email(), selfRegistered, referralCode, clientIp));
        return account;
    }

    static String newCustomerId() {
        return CUSTOMER_ID_PREFIX + SecureTokens.randomBase32(12);
    }

    private static AccountsException emailTaken() {
        return new AccountsException(Reason.EMAIL_TAKEN, "an account with this e-mail exists already", "email");
    }
}
