package io.iploop.server.bootstrap;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.platform.IploopProperties;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Retires the first-start demo customer {@value FirstStart#DEMO_EMAIL} (README "The two commands"):
 * its credentials are printed in the banner and often pasted into chats, so once the platform is in
 * real use it must stop working. It is suspended (its keys get 407 within the gateway's auth cache
 * period, it can no longer sign in) when the first self-registered customer's sign-up has committed,
 * and at start-up when {@code IPLOOP_DEMO_CUSTOMER=false} is set explicitly. An admin can activate
 * it again on the users page. Audited as a status change by the first admin. Thread-safe.
 */
@Component

class DemoRetirement implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(DemoRetirement.class);

    private final AccountsService accounts;
    private final AccountAdminService admin;
    private final IploopProperties properties;

    DemoRetirement(AccountsService accounts, AccountAdminService admin, IploopProperties properties) {
        this.accounts = accounts;
        this.admin = admin;
        this.properties = properties;
    }

    /** {@code IPLOOP_DEMO_CUSTOMER=false} (not merely unset) retires an existing demo customer at start. */
    @Override
    public void afterSingletonsInstantiated() {
        if (Boolean.FALSE.equals(properties.demoCustomer())) {
            retire("IPLOOP_DEMO_CUSTOMER=false");
        }
    }

    /**
     * After a self-registration committed (never inside it: a failure here must not undo the
     * customer's sign-up), in a transaction of its own.
     */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    void onRegistered(AccountRegistered event) {
        if (event.selfRegistered()) {
            retire("the first customer signed up");
        }
    }

    private void retire(String why) {
        Optional<Account> demo = accounts.findActiveByEmail(FirstStart.DEMO_EMAIL);
        Optional<Account> firstAdmin = accounts.firstAdmin();
        if (demo.isEmpty() || firstAdmin.isEmpty()) {
            return;
        }
        admin.changeStatus(firstAdmin.get().id(), demo.get().id(), UserStatus.SUSPENDED, "demo customer retired: " + why);
        log.info("Demo customer {} suspended: {} (an admin can activate it again on the users page)",
                FirstStart.DEMO_EMAIL, why);
    }
}
