package io.iploop.server.plans;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The plans feature's public API: the catalogue and each account's plan. Thread-safe. */
public interface PlansService {

    /**
     * The plan new accounts start on: Trial (seed 000 §5.2 revises seed 001 §4.1's "Starter with
     * 5 GB free" into a free Trial plan with 0.5 GB).
     */
    String DEFAULT_PLAN_ID = "trial";

    /** Active plans in display order. */
    List<Plan> catalogue();

    /** The plan with this id, active or not. */
    Optional<Plan> find(String planId);

    /**
     * Puts the account on {@code planId} with the plan's included GB as balance, cancelling the
     * active subscription if any.
     */
    Subscription subscribe(UUID userId, String planId);

    /** The account's active subscription, if any. */
    Optional<Subscription> current(UUID userId);
}
