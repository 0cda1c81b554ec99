package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountStats;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserStatus;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** {@link AccountsService}, what other features use, over {@link UserRepository}. Thread-safe. */
@Service
class DefaultAccountsService implements AccountsService {

    private final UserRepository users;
    private final AccountCreation creation;

    DefaultAccountsService(UserRepository users, AccountCreation creation) {
        this.users = users;
        this.creation = creation;
    }

    @Override
    @Transactional
    public Account create(NewAccount a) {
        return creation.insert(a);
    }

    @Override
    public Optional<Account> find(UUID userId) {
        return users.findById(userId);
    }

    @Override
    public Optional<Account> findByCustomerId(String customerId) {
        return users.findByCustomerId(customerId);
    }

    @Override
    public Optional<Account> findActiveByEmail(String email) {
        return users.findActiveByEmail(Accounts.normalize(email));
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
            throw Accounts.notFound().get();
        }
    }

    @Override
    public AccountStats stats() {
        return users.stats();
    }

    @Override
    public java.util.Map<UUID, String> useCases(java.util.Collection<UUID> userIds) {
        java.util.Map<UUID, String> out = new java.util.HashMap<>();
        if (userIds.isEmpty()) {
            return out;
        }
        java.util.Map<UUID, String> stored = users.useCases(userIds);
        for (UUID id : userIds) {
            String useCase = stored.get(id);
            out.put(id, useCase == null ? io.iploop.server.accounts.UseCases.UNDECLARED : useCase);
        }
        return out;
    }
}
