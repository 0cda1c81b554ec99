package io.iploop.server.plans.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The plans service over {@link PlanRepository}; plan changes are audited (seed 000 §9.5). Thread-safe. */
@Service
class DefaultPlansService implements PlansService {

    private final PlanRepository repository;
    private final AuditService audit;

    DefaultPlansService(PlanRepository repository, AuditService audit) {
        this.repository = repository;
        this.audit = audit;
    }

    @Override
    public List<Plan> catalogue() {
        return repository.findActive();
    }

    @Override
    public Optional<Plan> find(String planId) {
        return repository.find(planId);
    }

    @Override
    @Transactional
    public Subscription subscribe(UUID userId, String planId) {
        Plan plan = repository.find(planId).orElseThrow(() -> new IllegalArgumentException("planId: " + planId + " (unknown)"));
        Optional<Subscription> previous = repository.findActiveSubscription(userId);
        repository.cancelActive(userId);
        Subscription subscription = repository.insertSubscription(userId, plan);
        // The first subscription of a new account is not a change; every later one is, old -> new.
        previous.ifPresent(old -> audit.record(new AuditEvent(userId, AuditAction.PLAN_CHANGED, "subscription",
                subscription.id().toString(), Map.of("from", old.planId(), "to", plan.id()))));
        return subscription;
    }

    @Override
    public Optional<Subscription> current(UUID userId) {
        return repository.findActiveSubscription(userId);
    }
}
