package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsException.Reason;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.LoginResult;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.plans.PlansService;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The accounts service over {@link UserRepository}. Thread-safe. */
@Service
class DefaultAccountsService implements AccountsService {

    /** Public customer id: {@code cust_} + 12 base32 characters (60 random bits). */
    static final String CUSTOMER_ID_PREFIX = "cust_";

    private final UserRepository users;
    private final PasswordEncoder passwords;
    private final JwtTokens tokens;
    private final PlansService plans;
    /** Compared against when the e-mail is unknown, so both failures take as long. */
    private final String dummyHash;

    DefaultAccountsService(UserRepository users, PasswordEncoder passwords, JwtTokens tokens, PlansService plans) {
        this.users = users;
        this.passwords = passwords;
        this.tokens = tokens;
        this.plans = plans;
        this.dummyHash = passwords.encode(SecureTokens.randomHex(16));
    }

    static String newCustomerId() {
        return CUSTOMER_ID_PREFIX + SecureTokens.randomBase32(12);
    }

    @Override
    @Transactional
    public Account create(NewAccount a) {
        String email = a.email().strip().toLowerCase(Locale.ROOT);
        if (users.emailExists(email)) {
            throw new AccountsException(Reason.EMAIL_TAKEN, "an account with this e-mail exists already", "email");
        }
        Account account;
        try {
            account = users.insert(newCustomerId(), email, passwords.encode(a.password()), a.firstName().strip(),
                    a.lastName().strip(), blankToNull(a.company()), a.role(), a.mustChangePassword());
        } catch (DuplicateKeyException raced) {
            throw new AccountsException(Reason.EMAIL_TAKEN, "an account with this e-mail exists already", "email");
        }
        plans.subscribe(account.id(), PlansService.DEFAULT_PLAN_ID);
        return account;
    }

    @Override
    @Transactional
    public LoginResult register(NewAccount account) {
        Account created = create(account);
        JwtTokens.IssuedToken token = tokens.issue(principal(created));
        return new LoginResult(token.token(), token.expiresAt(), created);
    }

    @Override
    @Transactional
    public LoginResult login(String email, String password) {
        Optional<UserRepository.Credentials> credentials = users.findCredentialsByEmail(email.strip());
        String hash = credentials.map(UserRepository.Credentials::passwordHash).orElse(dummyHash);
        boolean matches = passwords.matches(password, hash);
        if (credentials.isEmpty() || !matches) {
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "wrong e-mail or password", null);
        }
        Account account = users.findById(credentials.get().id()).orElseThrow();
        if (account.status() != UserStatus.ACTIVE) {
            throw new AccountsException(Reason.ACCOUNT_SUSPENDED, "this account is " + account.status().dbValue(), null);
        }
        users.recordLogin(account.id());
        JwtTokens.IssuedToken token = tokens.issue(principal(account));
        return new LoginResult(token.token(), token.expiresAt(), account);
    }

    @Override
    public Optional<Account> find(UUID userId) {
        return users.findById(userId);
    }

    @Override
    public long count() {
        return users.count();
    }

    @Override
    public Optional<Account> firstAdmin() {
        return users.firstAdmin();
    }

    @Override
    public void becomeOperator(UUID userId) {
        users.promoteToOperator(userId);
    }

    @Override
    public void setStatus(UUID userId, UserStatus status) {
        if (users.setStatus(userId, status) == 0) {
            throw new AccountsException(Reason.NOT_FOUND, "no such account", null);
        }
    }

    @Override
    @Transactional
    public void changePassword(UUID userId, String currentPassword, String newPassword) {
        String hash = users.findPasswordHash(userId)
                .orElseThrow(() -> new AccountsException(Reason.NOT_FOUND, "no such account", null));
        if (!passwords.matches(currentPassword, hash)) {
            throw new AccountsException(Reason.INVALID_CREDENTIALS, "current password is wrong", "currentPassword");
        }
        if (newPassword.equals(currentPassword)) {
            throw new AccountsException(Reason.WEAK_PASSWORD, "new password must differ from the current one",
                    "newPassword");
        }
        users.setPassword(userId, passwords.encode(newPassword));
    }

    private static AuthenticatedUser principal(Account a) {
        return new AuthenticatedUser(a.id(), a.customerId(), a.email(), a.role().dbValue());
    }

    private static @org.jspecify.annotations.Nullable String blankToNull(@org.jspecify.annotations.Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
