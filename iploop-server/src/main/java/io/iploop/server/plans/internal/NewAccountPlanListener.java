package io.iploop.server.plans.internal;

import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.plans.PlansService;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Puts every new account on the sign-up plan an admin configured, in the transaction that created
 * the account (the event is published there, synchronously), whoever created it: self-registration,
 * an admin, first start or the local admin (docs/architecture.md). A failure rolls the account back.
 * Thread-safe.
 */
@Component
class NewAccountPlanListener {

    private final PlansService plans;

    NewAccountPlanListener(PlansService plans) {
        this.plans = plans;
    }

    @EventListener
    void on(AccountRegistered created) {
        plans.subscribeNewAccount(created.userId());
    }
}
