package io.iploop.server.earn.internal;

import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.platform.Money;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Decides how a customer's bytes through an operator's node were paid for (docs/earn-fraud.md):
 * {@code SELF} when the customer is the owner, {@code LINKED} when {@link LinkedAccounts} links them,
 * else by the customer's active plan, read through the plans feature: {@code PAID} for a priced plan
 * (any price above zero, or no price at all: a custom contract an admin set up) whose balance is
 * above zero or which has a priced overage, {@code TRIAL} for a plan whose every price is zero or
 * absent with at least one zero (the free Trial), {@code UNPAID} otherwise. Thread-safe.
 */
@Component
class ContributionClassifier {

    private final PlansService plans;
    private final LinkedAccounts links;

    ContributionClassifier(PlansService plans, LinkedAccounts links) {
        this.plans = plans;
        this.links = links;
    }

    /**
     * @param batchBytes the customer's bytes in the usage batch being classified: the plans feature
     *     has already taken them off the balance (its listener runs first, docs/earn-fraud.md), so a
     *     balance that these bytes emptied still covered them
     */
    ContributionPayment classify(UUID customerId, UUID ownerId, long batchBytes) {
        if (customerId.equals(ownerId)) {
            return ContributionPayment.SELF;
        }
        if (links.link(customerId, ownerId).isPresent()) {
            return ContributionPayment.LINKED;
        }
        Optional<Subscription> sub = plans.current(customerId);
        if (sub.isEmpty()) {
            return ContributionPayment.UNPAID;
        }
        Optional<Plan> plan = plans.find(sub.get().planId());
        if (plan.isEmpty()) {
            return ContributionPayment.UNPAID;
        }
        Plan p = plan.get();
        boolean custom = Stream.of(p.priceMonthly(), p.priceAnnual(), p.pricePerGb(), p.overagePerGb())
                .allMatch(m -> m == null);
        boolean priced = custom || Stream.of(p.priceMonthly(), p.priceAnnual(), p.pricePerGb(), p.overagePerGb())
                .anyMatch(ContributionClassifier::positive);
        if (!priced) {
            return ContributionPayment.TRIAL;
        }
        BigDecimal before = sub.get().gbBalance().add(BigDecimal.valueOf(batchBytes).movePointLeft(9));
        boolean covered = custom || before.signum() > 0 || positive(p.overagePerGb());
        return covered ? ContributionPayment.PAID : ContributionPayment.UNPAID;
    }

    private static boolean positive(@Nullable Money m) {
        return m != null && m.amount().compareTo(BigDecimal.ZERO) > 0;
    }
}
