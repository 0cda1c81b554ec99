package io.iploop.server.subusers.internal;

import io.iploop.server.keys.SubUserCredentials;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The sub-users feature's side of the proxy credential check ({@link SubUserCredentials}): one
 * lookup by the unique (customer id, name) and the secret's hash. The keys feature applies the
 * rules. Thread-safe.
 */
@Component
class JdbcSubUserCredentials implements SubUserCredentials {

    private final SubUserRepository repository;

    JdbcSubUserCredentials(SubUserRepository repository) {
        this.repository = repository;
    }

    @Override
    public Optional<SubUserCredential> find(String customerId, String name, String secretSha256Hex) {
        return repository.findCredential(customerId, name, secretSha256Hex);
    }
}
