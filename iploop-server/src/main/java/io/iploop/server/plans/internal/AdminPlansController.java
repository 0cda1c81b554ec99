package io.iploop.server.plans.internal;

import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlanSpec;
import io.iploop.server.plans.PlansException;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.SignupPlan;
import io.iploop.server.plans.Subscription;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin plan management (docs/product/admin.md#admin-api {@code /api/admin/plans}, docs/product/admin.md#plans) and the sign-up
 * plan setting (docs/product/plans.md#sign-up-plan). {@code /api/admin/**} is admin-only (SecurityConfig). Validation
 * errors are 400 {@code validation_failed} naming the field.
 */
@RestController
@RequestMapping("/api/admin")
@Tag(name = "admin", description = "Platform administration (admin role)")
class AdminPlansController {

    private static final Set<String> CLEARABLE = Set.of("description", "priceMonthly", "priceAnnual", "pricePerGb",
            "overagePerGb", "includedGb", "requestsPerSecond", "requestsPerDay", "maxConcurrentConnections");

    private final PlansService plans;

    AdminPlansController(PlansService plans) {
        this.plans = plans;
    }

    @GetMapping("/plans")
    @Operation(summary = "Every plan, active or not, with its subscriber count")
    PlansResponse list() {
        return new PlansResponse(plans.allPlans().stream().map(PlanView::of).toList());
    }

    @GetMapping("/plans/{planId}")
    @Operation(summary = "One plan with its subscriber count")
    PlanView get(@PathVariable String planId) {
        return PlanView.of(plans.details(planId));
    }

    @PostMapping("/plans")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Add a plan; null limits mean unlimited, null prices custom")
    PlanView create(@AuthenticationPrincipal AuthenticatedUser admin, @Valid @RequestBody CreatePlanRequest r) {
        return PlanView.of(plans.createPlan(admin.userId(), r.id(), r.toSpec()));
    }

    @PatchMapping("/plans/{planId}")
    @Operation(summary = "Change a plan's fields; absent fields stay, 'clear' lists fields to set to null "
            + "(unlimited); new limits reach the gateway within 2 s")
    PlanView update(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable String planId,
            @Valid @RequestBody UpdatePlanRequest r) {
        PlanSpec merged = r.applyTo(PlanSpec.of(plans.details(planId)));
        return PlanView.of(plans.updatePlan(admin.userId(), planId, merged));
    }

    @DeleteMapping("/plans/{planId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a plan nobody was ever on, or deactivate it; 409 plan_in_use while accounts "
            + "are on it or it is the sign-up plan")
    void delete(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable String planId) {
        plans.deletePlan(admin.userId(), planId);
    }

    @GetMapping("/settings/signup-plan")
    @Operation(summary = "The plan and first GB balance new accounts get")
    SignupPlan signupPlan() {
        return plans.signupPlan();
    }

    @PutMapping("/settings/signup-plan")
    @Operation(summary = "Set the plan new accounts get, optionally with another included GB than the plan's")
    SignupPlan setSignupPlan(@AuthenticationPrincipal AuthenticatedUser admin,
            @Valid @RequestBody SignupPlanRequest r) {
        return plans.setSignupPlan(admin.userId(), r.planId(), r.includedGb());
    }

    @PutMapping("/users/{userId}/plan/expiry")
    @Operation(summary = "Set when the account's subscription ends (null: open-ended); past it, and not "
            + "renewed, the proxy answers 402 subscription_expired (docs/plans-and-alerts.md#expiry)")
    Subscription setExpiry(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId,
            @RequestBody ExpiryRequest r) {
        return plans.setExpiry(admin.userId(), userId, r.expiresAt());
    }

    /** The end of a subscription, ISO-8601 instant, or null for none. */
    record ExpiryRequest(@Nullable Instant expiresAt) {}

    // Request bodies: components are non-null once @Valid has passed (Jackson may bind null before).

    /**
     * A new plan (docs/product/admin.md#plans, plus the limits the gateway enforces). The
     * plan rules are {@link PlanSpec}'s constraints, checked by the plans service on the spec this
     * request becomes; here only what the JSON shape needs (the id, a sticky lifetime).
     */
    record CreatePlanRequest(
            @NotBlank @Pattern(regexp = PlanSpec.ID_PATTERN, message = PlanSpec.ID_RULE) String id,
            @Nullable String name,
            @Nullable String description,
            @Nullable String currency,
            @Nullable BigDecimal priceMonthly,
            @Nullable BigDecimal priceAnnual,
            @Nullable BigDecimal pricePerGb,
            @Nullable BigDecimal overagePerGb,
            @Nullable BigDecimal includedGb,
            @Nullable Integer requestsPerSecond,
            @Nullable Integer requestsPerDay,
            @Nullable Integer maxConcurrentConnections,
            @NotNull Long maxStickyLifetimeSeconds,
            @Nullable Boolean stickySessions,
            @Nullable List<@Nullable String> targeting,
            @Nullable List<@Nullable String> features,
            @Nullable Integer sortOrder,
            @Nullable Boolean active) {

        PlanSpec toSpec() {
            return new PlanSpec(name == null ? "" : name.strip(), description, currency == null ? "USD" : currency, priceMonthly,
                    priceAnnual, pricePerGb, overagePerGb, includedGb, requestsPerSecond, requestsPerDay,
                    maxConcurrentConnections, maxStickyLifetimeSeconds,
                    Boolean.TRUE.equals(stickySessions), lower(targeting == null ? List.of("country") : targeting),
                    features == null ? List.of() : nonNull(features), sortOrder == null ? 100 : sortOrder,
                    active == null || active);
        }
    }

    /**
     * Changes to a plan: null or absent fields stay as they are; {@code clear} sets fields to null.
     * The merged spec is checked against {@link PlanSpec}'s constraints by the plans service.
     */
    record UpdatePlanRequest(
            @Nullable String name,
            @Nullable String description,
            @Nullable String currency,
            @Nullable BigDecimal priceMonthly,
            @Nullable BigDecimal priceAnnual,
            @Nullable BigDecimal pricePerGb,
            @Nullable BigDecimal overagePerGb,
            @Nullable BigDecimal includedGb,
            @Nullable Integer requestsPerSecond,
            @Nullable Integer requestsPerDay,
            @Nullable Integer maxConcurrentConnections,
            @Nullable Long maxStickyLifetimeSeconds,
            @Nullable Boolean stickySessions,
            @Nullable List<@Nullable String> targeting,
            @Nullable List<@Nullable String> features,
            @Nullable Integer sortOrder,
            @Nullable Boolean active,
            @Size(max = 10) @Nullable List<String> clear) {

        PlanSpec applyTo(PlanSpec s) {
            List<String> cleared = clear == null ? List.of() : clear;
            for (String field : cleared) {
                if (!CLEARABLE.contains(field)) {
                    throw new PlansException(PlansException.Reason.INVALID_PLAN,
                            "clear: " + field + " cannot be cleared (expected: any of " + String.join(", ",
                                    CLEARABLE.stream().sorted().toList()) + ")", "clear");
                }
            }
            return new PlanSpec(
                    name == null ? s.name() : name.strip(),
                    cleared.contains("description") ? null : pick(description, s.description()),
                    pick(currency, s.currency()),
                    cleared.contains("priceMonthly") ? null : pick(priceMonthly, s.priceMonthly()),
                    cleared.contains("priceAnnual") ? null : pick(priceAnnual, s.priceAnnual()),
                    cleared.contains("pricePerGb") ? null : pick(pricePerGb, s.pricePerGb()),
                    cleared.contains("overagePerGb") ? null : pick(overagePerGb, s.overagePerGb()),
                    cleared.contains("includedGb") ? null : pick(includedGb, s.includedGb()),
                    cleared.contains("requestsPerSecond") ? null : pick(requestsPerSecond, s.requestsPerSecond()),
                    cleared.contains("requestsPerDay") ? null : pick(requestsPerDay, s.requestsPerDay()),
                    cleared.contains("maxConcurrentConnections") ? null
                            : pick(maxConcurrentConnections, s.maxConcurrentConnections()),
                    maxStickyLifetimeSeconds == null ? s.maxStickyLifetimeSeconds() : maxStickyLifetimeSeconds,
                    stickySessions == null ? s.stickySessions() : stickySessions,
                    targeting == null ? s.targeting() : lower(targeting),
                    features == null ? s.features() : nonNull(features),
                    sortOrder == null ? s.sortOrder() : sortOrder,
                    active == null ? s.active() : active);
        }
    }

    /** docs/product/accounts.md#registration's "Starter with 5 GB free" is {@code {"planId":"starter","includedGb":5}}. */
    record SignupPlanRequest(
            @NotBlank @Size(max = 40) String planId,
            @PositiveOrZero @Digits(integer = 9, fraction = 3) @Nullable BigDecimal includedGb) {}

    /** A plan as the admin pages show it. */
    record PlanView(String id, String name, @Nullable String description, String currency,
            @Nullable BigDecimal priceMonthly, @Nullable BigDecimal priceAnnual, @Nullable BigDecimal pricePerGb,
            @Nullable BigDecimal overagePerGb, @Nullable BigDecimal includedGb, @Nullable Integer requestsPerSecond,
            @Nullable Integer requestsPerDay, @Nullable Integer maxConcurrentConnections,
            long maxStickyLifetimeSeconds, boolean stickySessions, List<String> targeting, List<String> features,
            int sortOrder, boolean active, long activeSubscribers) {

        static PlanView of(PlanDetails d) {
            PlanSpec s = PlanSpec.of(d);
            return new PlanView(d.plan().id(), s.name(), s.description(), s.currency(), s.priceMonthly(),
                    s.priceAnnual(), s.pricePerGb(), s.overagePerGb(), s.includedGb(), s.requestsPerSecond(),
                    s.requestsPerDay(), s.maxConcurrentConnections(), s.maxStickyLifetimeSeconds(), s.stickySessions(),
                    s.targeting(), s.features(), s.sortOrder(), s.active(), d.activeSubscribers());
        }
    }

    record PlansResponse(List<PlanView> plans) {}

    private static <T> @Nullable T pick(@Nullable T value, @Nullable T otherwise) {
        return value != null ? value : otherwise;
    }

    private static List<String> lower(List<@Nullable String> values) {
        return nonNull(values).stream().map(v -> v.strip().toLowerCase(Locale.ROOT)).distinct().toList();
    }

    /** JSON nulls in a list become blanks, which {@link PlanSpec}'s {@code @NotBlank} elements refuse by name. */
    private static List<String> nonNull(List<@Nullable String> values) {
        return values.stream().map(v -> v == null ? "" : v).toList();
    }
}
