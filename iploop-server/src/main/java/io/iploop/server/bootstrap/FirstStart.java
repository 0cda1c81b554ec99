package io.iploop.server.bootstrap;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.plans.PlansService;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * First start (no account yet): creates the admin {@value #ADMIN_EMAIL} with a random one-time
 * password it must change and, when {@link IploopProperties#createDemoCustomer()} says so (by
 * default only on the embedded database), a demo customer {@value #DEMO_EMAIL} on the
 * {@value #DEMO_PLAN_ID} plan (no request rate, connection or byte limits, so a first load test
 * through the printed {@code curl} line is not throttled) with an API key. Runs after the schema
 * is migrated and before the gateway starts (the local node's key is issued to this admin). The
 * secrets are kept in memory only until the banner has taken them once. Thread-safe.
 */
@Component
public class FirstStart implements SmartInitializingSingleton {

    public static final String ADMIN_EMAIL = "admin@iploop.local";
    public static final String DEMO_EMAIL = "demo@iploop.local";
    /** The demo customer's plan: the catalogue's plan without limits (README "The two commands"). */
    public static final String DEMO_PLAN_ID = "enterprise";
    private static final Logger log = LoggerFactory.getLogger(FirstStart.class);

    private final AccountsService accounts;
    private final ApiKeysService keys;
    private final PlansService plans;
    private final IploopProperties properties;
    private volatile @Nullable Credentials credentials;

    FirstStart(AccountsService accounts, ApiKeysService keys, PlansService plans, IploopProperties properties) {
        this.accounts = accounts;
        this.keys = keys;
        this.plans = plans;
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (accounts.count() > 0) {
            return;
        }
        String adminPassword = SecureTokens.randomBase32(20);
        Account admin = accounts.create(new NewAccount(ADMIN_EMAIL, adminPassword, "Platform", "Admin", null,
                UserRole.ADMIN, true));
        @Nullable Demo demo = properties.createDemoCustomer() ? createDemo(admin) : null;
        credentials = new Credentials(ADMIN_EMAIL, adminPassword, demo);
        if (demo == null) {
            log.info("First start: created {}; no demo customer (IPLOOP_DEMO_CUSTOMER=true creates one)", ADMIN_EMAIL);
        } else {
            log.info("First start: created {} and demo customer {} on plan {}", ADMIN_EMAIL, demo.customerId(),
                    demo.planId());
        }
    }

    private Demo createDemo(Account admin) {
        String demoPassword = SecureTokens.randomBase32(20);
        Account demo = accounts.create(new NewAccount(DEMO_EMAIL, demoPassword, "Demo", "Customer", null,
                UserRole.CUSTOMER, false));
        // The sign-up plan (Trial, 2 requests/s) would answer 429 from the third request of a first
        // load test; the move is audited as the admin's.
        plans.changePlan(admin.id(), demo.id(), DEMO_PLAN_ID);
        CreatedApiKey key = keys.create(demo.id(), "demo");
        return new Demo(DEMO_EMAIL, demoPassword, demo.customerId(), key.key(), DEMO_PLAN_ID);
    }

    /** The first-start secrets, returned once and then forgotten; empty on later starts. */
    public Optional<Credentials> takeCredentials() {
        synchronized (this) {
            Credentials c = credentials;
            credentials = null;
            return Optional.ofNullable(c);
        }
    }

    /**
     * What the first-start banner shows once.
     *
     * @param demo the demo customer, or null when none was created
     */
    public record Credentials(String adminEmail, String adminPassword, @Nullable Demo demo) {}

    /** The demo customer: login, proxy username ({@code customerId}) and API key, and its plan id. */
    public record Demo(String email, String password, String customerId, String apiKey, String planId) {}
}
