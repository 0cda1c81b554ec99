package io.iploop.server.plans;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The plan new accounts start on (docs/product/plans.md#sign-up-plan: Trial with 0.5 GB unless an admin says
 * otherwise; "Starter with 5 GB free" is the override Starter + 5). Immutable.
 *
 * @param includedGbOverride first balance in GB instead of the plan's included GB, or null for the plan's
 * @param effectiveIncludedGb the balance a new account gets, GB (0 for a plan without included GB)
 * @param updatedAt when an admin last changed it (the migration's time if never)
 */
public record SignupPlan(String planId, String planName, @Nullable BigDecimal includedGbOverride,
        BigDecimal effectiveIncludedGb, Instant updatedAt) {}
