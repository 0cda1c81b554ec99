package io.iploop.server.plans.internal;

import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The plans service over {@link PlanRepository}. Thread-safe. */
@Service
class DefaultPlansService implements PlansService {

    private final PlanRepository repository;

    DefaultPlansService(PlanRepository repository) {
        this.repository = repository;
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
        repository.cancelActive(userId);
        return repository.insertSubscription(userId, plan);
    }

    @Override
    public Optional<Subscription> current(UUID userId) {
        return repository.findActiveSubscription(userId);
    }
}
