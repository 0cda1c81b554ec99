package io.iploop.server.plans.internal;

import io.iploop.server.usage.UsageRecorded;
import java.math.BigDecimal;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Moves recorded proxy usage from the active subscription's {@code gb_balance} to its
 * {@code gb_used}, byte-exact, in the transaction that stored the usage (so the balance the
 * gateway's {@link JdbcLimitsProvider} reads always includes every stored record); on a
 * pay-as-you-go plan {@link PaygCharges} charges the bytes bought GB do not cover from the prepaid
 * credits in that transaction. Thread-safe.
 */
@Component
class PlanUsageListener {

    private final PlanRepository plans;
    private final PaygCharges payg;

    PlanUsageListener(PlanRepository plans, PaygCharges payg) {
        this.plans = plans;
        this.payg = payg;
    }

    @EventListener
    void on(UsageRecorded usage) {
        if (usage.bytes() <= 0) {
            return;
        }
        if (payg.charge(usage.userId(), usage.bytes())) {
            return;
        }
        plans.addUsage(usage.userId(), BigDecimal.valueOf(usage.bytes()).divide(JdbcLimitsProvider.BYTES_PER_GB));
    }
}
