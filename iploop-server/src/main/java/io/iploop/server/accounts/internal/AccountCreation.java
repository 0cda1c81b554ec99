package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.platform.RecordViolations;
import io.iploop.server.platform.SecureTokens;
import jakarta.validation.Validator;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Inserts a new account row: the one place that checks the account rules ({@link NewAccount}'s
 * constraints), normalises the e-mail, refuses a taken one and hashes the password. Callers (sign-up, first start, admin invitation) add what their flow needs
 * (plan, verification mail, session) in the same transaction. Thread-safe.
 */
@Component
class AccountCreation {

    /** Public customer id: {@code cust_} + 12 base32 characters (60 random bits). */
    static final String CUSTOMER_ID_PREFIX = "cust_";

    private final UserRepository users;
    private final PasswordEncoder passwords;
    private final Validator validator;

    AccountCreation(UserRepository users, PasswordEncoder passwords, Validator validator) {
        this.users = users;
        this.passwords = passwords;
        this.validator = validator;
    }

    /**
     * @throws AccountsException {@code INVALID_ACCOUNT} naming the first field (in component order)
     *     that breaks a rule; {@code EMAIL_TAKEN} (field {@code email}), also when a concurrent insert won
     */
    Account insert(NewAccount a) {
        RecordViolations.first(NewAccount.class, validator.validate(a)).ifPresent(v -> {
            throw new AccountsException(Reason.INVALID_ACCOUNT, v.field() + ": " + v.message(), v.field());
        });
        String email = Accounts.normalize(a.email());
        if (users.emailExists(email)) {
            throw emailTaken();
        }
        try {
            return users.insert(newCustomerId(), email, passwords.encode(a.password()), a.firstName().strip(),
                    a.lastName().strip(), Accounts.blankToNull(a.company()), a.role(), a.mustChangePassword());
        } catch (DuplicateKeyException raced) {
            throw emailTaken();
        }
    }

    static String newCustomerId() {
        return CUSTOMER_ID_PREFIX + SecureTokens.randomBase32(12);
    }

    private static AccountsException emailTaken() {
        return new AccountsException(Reason.EMAIL_TAKEN, "an account with this e-mail exists already", "email");
    }
}
