package io.iploop.server.bootstrap;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.platform.SecureTokens;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * First start (no account yet): creates the admin {@value #ADMIN_EMAIL} with a random one-time
 * password it must change, and a demo customer {@value #DEMO_EMAIL} with an API key, so the proxy
 * can be tried at once. Runs after the schema is migrated and before the gateway starts (the local
 * node's key is issued to this admin). The secrets are kept in memory only until the banner has
 * printed them once. Thread-safe.
 */
@Component
public class FirstStart implements SmartInitializingSingleton {

    public static final String ADMIN_EMAIL = "admin@iploop.local";
    public static final String DEMO_EMAIL = "demo@iploop.local";
    private static final Logger log = LoggerFactory.getLogger(FirstStart.class);

    private final AccountsService accounts;
    private final ApiKeysService keys;
    private volatile @Nullable Credentials credentials;

    FirstStart(AccountsService accounts, ApiKeysService keys) {
        this.accounts = accounts;
        this.keys = keys;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (accounts.count() > 0) {
            return;
        }
        String adminPassword = SecureTokens.randomBase32(20);
        accounts.create(new NewAccount(ADMIN_EMAIL, adminPassword, "Platform", "Admin", null, UserRole.ADMIN, true));
        String demoPassword = SecureTokens.randomBase32(20);
        Account demo = accounts.create(new NewAccount(DEMO_EMAIL, demoPassword, "Demo", "Customer", null,
                UserRole.CUSTOMER, false));
        CreatedApiKey key = keys.create(demo.id(), "demo");
        credentials = new Credentials(ADMIN_EMAIL, adminPassword, DEMO_EMAIL, demoPassword, demo.customerId(), key.key());
        log.info("First start: created {} and demo customer {}", ADMIN_EMAIL, demo.customerId());
    }

    /** The first-start secrets, returned once and then forgotten; empty on later starts. */
    public Optional<Credentials> takeCredentials() {
        synchronized (this) {
            Credentials c = credentials;
            credentials = null;
            return Optional.ofNullable(c);
        }
    }

    /** What the first-start banner shows once. */
    public record Credentials(String adminEmail, String adminPassword, String demoEmail, String demoPassword,
            String demoCustomerId, String demoApiKey) {}
}
