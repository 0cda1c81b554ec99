package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.UserStatus;
import io.iploop.server.keys.KeyOwners;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The accounts feature's answers to the keys feature ({@link KeyOwners}). Thread-safe. */
@Component
class AccountKeyOwners implements KeyOwners {

    private final UserRepository users;

    AccountKeyOwners(UserRepository users) {
        this.users = users;
    }

    @Override
    public Optional<String> activeCustomerId(UUID userId) {
        return users.findById(userId).filter(a -> a.status() == UserStatus.ACTIVE).map(a -> a.customerId());
    }

    @Override
    public Set<UUID> inactiveIds() {
        return users.idsNotActive();
    }
}
