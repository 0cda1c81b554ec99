package io.iploop.server.plans.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlanSpec;
import io.iploop.server.plans.PlansException.Reason;
import io.iploop.server.plans.PlansException;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.SignupPlan;
import io.iploop.server.plans.Subscription;
import io.iploop.server.plans.SubscriptionSpan;
import io.iploop.server.plans.UsageAlertSettings;
import io.iploop.server.platform.RecordViolations;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The plans service over {@link PlanRepository}. Admin changes and their audit entries commit in
 * one transaction. Thread-safe.
 */
@Service
class DefaultPlansService implements PlansService {

    /** GB balances are byte-exact: 9 decimals of 10^9 bytes (migration V202611241001). */
    private static final int GB_SCALE = 9;

    private final PlanRepository repository;
    private final AuditService audit;
    private final Validator validator;

    private final UsageAlerts alertSettingsRepository;
    private final PlanRenewals renewals;

    DefaultPlansService(PlanRepository repository, AuditService audit, Validator validator,
            UsageAlerts alertSettingsRepository, PlanRenewals renewals) {
        this.alertSettingsRepository = alertSettingsRepository;
        this.renewals = renewals;
        this.repository = repository;
        this.audit = audit;
        this.validator = validator;
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
        Plan plan = repository.find(planId).orElseThrow(() -> unknownPlan(planId));
        Optional<Subscription> previous = repository.findActiveSubscription(userId);
        repository.cancelActive(userId);
        Subscription subscription = repository.insertSubscription(userId, plan);
        // The first subscription of a new account is not a change; every later one is, old -> new.
        previous.ifPresent(old -> audit.record(new AuditEvent(userId, AuditAction.PLAN_CHANGED, "subscription",
                subscription.id().toString(), Map.of("from", old.planId(), "to", plan.id()))));
        return subscription;
    }

    @Override
    @Transactional
    public Subscription subscribeNewAccount(UUID userId) {
        PlanRepository.SignupSetting setting = repository.signupSetting();
        Plan plan = repository.find(setting.planId()).orElseThrow(() -> unknownPlan(setting.planId()));
        repository.cancelActive(userId);
        return repository.insertSubscription(userId, plan, firstBalance(plan, setting.includedGbOverride()));
    }

    @Override
    @Transactional
    public Subscription subscribeNewAccount(UUID userId, String planId) {
        Plan plan = repository.find(planId).orElseThrow(() -> unknownPlan(planId));
        repository.cancelActive(userId);
        return repository.insertSubscription(userId, plan);
    }

    @Override
    public Optional<Subscription> current(UUID userId) {
        return repository.findActiveSubscription(userId);
    }

    @Override
    public Map<UUID, Subscription> current(Collection<UUID> userIds) {
        return repository.findActiveSubscriptions(userIds);
    }

    @Override
    public List<UUID> activeSubscribers(String planId) {
        return repository.activeSubscribers(planId);
    }

    @Override
    public Map<String, Long> planDistribution() {
        return repository.distribution();
    }

    @Override
    public List<PlanDetails> allPlans() {
        return repository.findAllDetails();
    }

    @Override
    public PlanDetails details(String planId) {
        return repository.findDetails(planId).orElseThrow(() -> notFound(planId));
    }

    @Override
    @Transactional
    public PlanDetails createPlan(UUID adminId, String planId, PlanSpec spec) {
        if (!planId.matches(PlanSpec.ID_PATTERN)) {
            throw new PlansException(Reason.INVALID_PLAN, "id: " + PlanSpec.ID_RULE, "id");
        }
        check(spec);
        if (repository.exists(planId)) {
            throw new PlansException(Reason.PLAN_EXISTS, "a plan with id " + planId + " exists already", "id");
        }
        try {
            repository.insertPlan(planId, spec);
        } catch (DuplicateKeyException raced) {
            throw new PlansException(Reason.PLAN_EXISTS, "a plan with id " + planId + " exists already", "id");
        }
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_PLAN_CREATED, "plan", planId,
                Map.of("name", spec.name())));
        return details(planId);
    }

    @Override
    @Transactional
    public PlanDetails updatePlan(UUID adminId, String planId, PlanSpec spec) {
        check(spec);
        PlanDetails before = details(planId);
        if (!spec.active() && planId.equals(repository.signupSetting().planId())) {
            throw new PlansException(Reason.PLAN_IN_USE,
                    "plan " + planId + " is the sign-up plan; choose another sign-up plan before deactivating it",
                    "active");
        }
        repository.updatePlan(planId, spec);
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_PLAN_UPDATED, "plan", planId,
                changes(PlanSpec.of(before), spec)));
        return details(planId);
    }

    @Override
    @Transactional
    public void deletePlan(UUID adminId, String planId) {
        PlanDetails plan = details(planId);
        if (plan.activeSubscribers() > 0) {
            throw new PlansException(Reason.PLAN_IN_USE, plan.activeSubscribers()
                    + " accounts are on plan " + planId + "; move them to another plan first", null);
        }
        if (planId.equals(repository.signupSetting().planId())) {
            throw new PlansException(Reason.PLAN_IN_USE,
                    "plan " + planId + " is the sign-up plan; choose another sign-up plan first", null);
        }
        String outcome;
        if (repository.everSubscribed(planId)) {
            repository.updatePlan(planId, PlanSpec.of(new PlanDetails(plan.plan(), plan.currency(), plan.sortOrder(),
                    false, 0)));
            outcome = "deactivated";
        } else {
            repository.deletePlan(planId);
            outcome = "deleted";
        }
        audit.record(new AuditEvent(adminId, AuditAction.ADMIN_PLAN_DELETED, "plan", planId,
                Map.of("outcome", outcome)));
    }

    @Override
    @Transactional
    public Subscription changePlan(UUID adminId, UUID userId, String planId) {
        Plan plan = repository.find(planId).orElseThrow(() -> unknownPlan(planId));
        Optional<Subscription> before = repository.lockActiveSubscription(userId);
        repository.cancelActive(userId);
        Subscription after = repository.insertSubscription(userId, plan);
        audit.record(new AuditEvent(adminId, AuditAction.PLAN_CHANGED, "user", userId.toString(), Map.of(
                "targetUserId", userId.toString(),
                "oldPlan", before.map(Subscription::planId).orElse("none"),
                "newPlan", planId,
                "oldGbBalance", before.map(s -> s.gbBalance().toPlainString()).orElse("0"),
                "newGbBalance", after.gbBalance().toPlainString())));
        return after;
    }

    @Override
    @Transactional
    public Subscription setBalance(UUID adminId, UUID userId, BigDecimal gbBalance, String reason) {
        checkBalance(gbBalance);
        return adjustBalance(adminId, userId, old -> gbBalance, Map.of(), reason);
    }

    @Override
    @Transactional
    public Subscription addBalance(UUID adminId, UUID userId, BigDecimal gbDelta, String reason) {
        return adjustBalance(adminId, userId, gbDelta::add, Map.of("addedGb", gbDelta.toPlainString()), reason);
    }

    private static void checkBalance(BigDecimal gbBalance) {
        if (gbBalance.signum() < 0 || gbBalance.stripTrailingZeros().scale() > GB_SCALE) {
            throw new PlansException(Reason.INVALID_PLAN,
                    "gbBalance: " + gbBalance.toPlainString() + " (expected: >= 0 with at most 9 decimals)", "gbBalance");
        }
    }

    /**
     * Sets the balance to {@code next(old)} with the subscription row locked, so usage booked
     * meanwhile is not overwritten, and audits old and new balance.
     */
    private Subscription adjustBalance(UUID adminId, UUID userId, UnaryOperator<BigDecimal> next,
            Map<String, String> extraDetails, String reason) {
        Subscription before = repository.lockActiveSubscription(userId).orElseThrow(() -> new PlansException(
                Reason.NO_SUBSCRIPTION, "the account has no active plan; assign a plan first", "gbBalance"));
        BigDecimal gbBalance = next.apply(before.gbBalance());
        checkBalance(gbBalance);
        repository.setBalance(userId, gbBalance);
        Map<String, String> details = new HashMap<>(extraDetails);
        details.putAll(Map.of(
                "targetUserId", userId.toString(),
                "plan", before.planId(),
                "oldGbBalance", before.gbBalance().toPlainString(),
                "newGbBalance", gbBalance.toPlainString(),
                "reason", reason));
        audit.record(new AuditEvent(adminId, AuditAction.BALANCE_ADJUSTED, "user", userId.toString(), details));
        return repository.findActiveSubscription(userId).orElseThrow();
    }

    @Override
    @Transactional
    public Subscription renewDue(UUID userId, Instant dueBy) {
        Subscription active = repository.lockActiveSubscription(userId).orElseThrow(() -> new PlansException(
                Reason.NO_SUBSCRIPTION, "the account has no active plan; assign a plan first", null));
        renewals.renewInTransaction(active.id(), dueBy);
        return repository.lockActiveSubscription(userId).orElseThrow();
    }

    @Override
    @Transactional
    public Subscription switchPlanNow(UUID actorId, UUID userId, String planId, BigDecimal gbDelta) {
        Plan plan = repository.find(planId).orElseThrow(() -> unknownPlan(planId));
        Subscription before = repository.lockActiveSubscription(userId).orElseThrow(() -> new PlansException(
                Reason.NO_SUBSCRIPTION, "the account has no active plan", "planId"));
        BigDecimal balance = before.gbBalance().add(gbDelta).setScale(GB_SCALE, java.math.RoundingMode.DOWN);
        repository.switchPlan(before.id(), plan.id(), balance);
        if (before.pendingCancel()) {
            repository.setExpiry(userId, null); // an upgrade takes back a scheduled cancellation
        }
        audit.record(new AuditEvent(actorId, AuditAction.PLAN_CHANGED, "subscription", before.id().toString(), Map.of(
                "targetUserId", userId.toString(),
                "oldPlan", before.planId(),
                "newPlan", plan.id(),
                "oldGbBalance", before.gbBalance().toPlainString(),
                "newGbBalance", balance.toPlainString(),
                "inPeriod", "true")));
        return repository.findActiveSubscription(userId).orElseThrow();
    }

    @Override
    @Transactional
    public Subscription schedulePlanChange(UUID actorId, UUID userId, @Nullable String planId) {
        Plan plan = planId == null ? null : repository.find(planId).orElseThrow(() -> unknownPlan(planId));
        Subscription before = repository.lockActiveSubscription(userId).orElseThrow(() -> new PlansException(
                Reason.NO_SUBSCRIPTION, "the account has no active plan", "planId"));
        Instant end = before.periodEnd();
        if (end == null) {
            throw new PlansException(Reason.NO_SUBSCRIPTION, "the plan " + before.planId()
                    + " has no period end to schedule a change for", "planId");
        }
        if (before.pendingCancel() && plan != null) {
            repository.setExpiry(userId, null);
        }
        repository.setPending(before.id(), plan == null ? null : plan.id(), plan == null, Instant.now());
        if (plan == null) {
            repository.setExpiry(userId, end);
        }
        audit.record(new AuditEvent(actorId, AuditAction.PLAN_CHANGE_SCHEDULED, "subscription", before.id().toString(),
                Map.of("targetUserId", userId.toString(), "plan", before.planId(),
                        "pendingPlan", plan == null ? "cancel" : plan.id(), "periodEnd", end.toString())));
        return repository.findActiveSubscription(userId).orElseThrow();
    }

    @Override
    @Transactional
    public Subscription withdrawPlanChange(UUID actorId, UUID userId) {
        Subscription before = repository.lockActiveSubscription(userId).orElseThrow(() -> new PlansException(
                Reason.NO_SUBSCRIPTION, "the account has no active plan", null));
        if (before.pendingPlanId() == null && !before.pendingCancel()) {
            return before;
        }
        repository.setPending(before.id(), null, false, null);
        if (before.pendingCancel() && java.util.Objects.equals(before.expiresAt(), before.periodEnd())) {
            repository.setExpiry(userId, null);
        }
        audit.record(new AuditEvent(actorId, AuditAction.PLAN_CHANGE_WITHDRAWN, "subscription", before.id().toString(),
                Map.of("targetUserId", userId.toString(), "plan", before.planId(),
                        "was", before.pendingCancel() ? "cancel" : String.valueOf(before.pendingPlanId()))));
        return repository.findActiveSubscription(userId).orElseThrow();
    }

    @Override
    @Transactional
    public void renewOnPayment(UUID userId, UUID subscriptionId) {
        repository.setRenewsOnPayment(subscriptionId, true);
    }

    @Override
    @Transactional
    public Subscription setExpiry(UUID adminId, UUID userId, @Nullable Instant expiresAt) {
        Subscription before = repository.lockActiveSubscription(userId).orElseThrow(() -> new PlansException(
                Reason.NO_SUBSCRIPTION, "the account has no active plan; assign a plan first", "expiresAt"));
        repository.setExpiry(userId, expiresAt);
        audit.record(new AuditEvent(adminId, AuditAction.SUBSCRIPTION_EXPIRY_SET, "user", userId.toString(), Map.of(
                "targetUserId", userId.toString(),
                "plan", before.planId(),
                "oldExpiresAt", String.valueOf(before.expiresAt()),
                "newExpiresAt", String.valueOf(expiresAt))));
        return repository.findActiveSubscription(userId).orElseThrow();
    }

    @Override
    public UsageAlertSettings alertSettings(UUID userId) {
        return alertSettingsRepository.find(userId).orElse(UsageAlertSettings.DEFAULTS);
    }

    @Override
    @Transactional
    public UsageAlertSettings setAlertSettings(UUID userId, UsageAlertSettings settings) {
        RecordViolations.first(UsageAlertSettings.class, validator.validate(settings)).ifPresent(v -> {
            throw new PlansException(Reason.INVALID_ALERT, v.field() + ": " + v.message(), v.field());
        });
        alertSettingsRepository.save(userId, settings);
        return alertSettings(userId);
    }

    @Override
    public SignupPlan signupPlan() {
        PlanRepository.SignupSetting s = repository.signupSetting();
        Plan plan = repository.find(s.planId()).orElseThrow(() -> unknownPlan(s.planId()));
        return new SignupPlan(plan.id(), plan.name(), s.includedGbOverride(), firstBalance(plan, s.includedGbOverride()),
                s.updatedAt());
    }

    @Override
    @Transactional
    public SignupPlan setSignupPlan(UUID adminId, String planId, @Nullable BigDecimal includedGbOverride) {
        if (includedGbOverride != null && includedGbOverride.signum() < 0) {
            throw new PlansException(Reason.INVALID_PLAN,
                    "includedGb: " + includedGbOverride.toPlainString() + " (expected: >= 0)", "includedGb");
        }
        PlanDetails plan = repository.findDetails(planId).filter(PlanDetails::active)
                .orElseThrow(() -> unknownPlan(planId));
        SignupPlan before = signupPlan();
        repository.setSignupSetting(plan.plan().id(), includedGbOverride, adminId);
        SignupPlan after = signupPlan();
        audit.record(new AuditEvent(adminId, AuditAction.SIGNUP_PLAN_CHANGED, "plan", planId, Map.of(
                "oldPlan", before.planId(),
                "oldIncludedGb", before.effectiveIncludedGb().toPlainString(),
                "newPlan", after.planId(),
                "newIncludedGb", after.effectiveIncludedGb().toPlainString())));
        return after;
    }

    private static BigDecimal firstBalance(Plan plan, @Nullable BigDecimal override) {
        if (override != null) {
            return override;
        }
        return plan.includedGb() == null ? BigDecimal.ZERO : plan.includedGb();
    }

    /**
     * Checks the spec's Bean Validation constraints (the plan rules, {@link PlanSpec}), reporting the
     * first violated field in component order, then that the currency exists.
     */
    private void check(PlanSpec s) {
        RecordViolations.first(PlanSpec.class, validator.validate(s)).ifPresent(v -> {
            throw new PlansException(Reason.INVALID_PLAN, v.field() + ": " + v.message(), v.field());
        });
        try {
            Currency.getInstance(s.currency());
        } catch (IllegalArgumentException e) {
            throw new PlansException(Reason.INVALID_PLAN, "currency: " + s.currency() + " (expected: ISO 4217 code)",
                    "currency");
        }
    }

    /** The fields that differ, as {@code field -> "old -> new"}, for the audit entry. */
    private static Map<String, String> changes(PlanSpec a, PlanSpec b) {
        Map<String, String> changed = new LinkedHashMap<>();
        diff(changed, "name", a.name(), b.name());
        diff(changed, "description", a.description(), b.description());
        diff(changed, "currency", a.currency(), b.currency());
        diff(changed, "priceMonthly", a.priceMonthly(), b.priceMonthly());
        diff(changed, "priceAnnual", a.priceAnnual(), b.priceAnnual());
        diff(changed, "pricePerGb", a.pricePerGb(), b.pricePerGb());
        diff(changed, "overagePerGb", a.overagePerGb(), b.overagePerGb());
        diff(changed, "includedGb", a.includedGb(), b.includedGb());
        diff(changed, "requestsPerSecond", a.requestsPerSecond(), b.requestsPerSecond());
        diff(changed, "requestsPerDay", a.requestsPerDay(), b.requestsPerDay());
        diff(changed, "maxConcurrentConnections", a.maxConcurrentConnections(), b.maxConcurrentConnections());
        diff(changed, "maxStickyLifetimeSeconds", a.maxStickyLifetimeSeconds(), b.maxStickyLifetimeSeconds());
        diff(changed, "stickySessions", a.stickySessions(), b.stickySessions());
        diff(changed, "targeting", a.targeting(), b.targeting());
        diff(changed, "features", a.features(), b.features());
        diff(changed, "sortOrder", a.sortOrder(), b.sortOrder());
        diff(changed, "active", a.active(), b.active());
        return changed;
    }

    private static void diff(Map<String, String> out, String field, @Nullable Object a, @Nullable Object b) {
        boolean same = a instanceof BigDecimal x && b instanceof BigDecimal y ? x.compareTo(y) == 0 : Objects.equals(a, b);
        if (!same) {
            out.put(field, text(a) + " -> " + text(b));
        }
    }

    private static String text(@Nullable Object o) {
        return o == null ? "null" : o instanceof BigDecimal d ? d.toPlainString() : o.toString();
    }

    private static PlansException unknownPlan(String planId) {
        return new PlansException(Reason.UNKNOWN_PLAN, "planId: unknown plan " + planId, "planId");
    }

    private static PlansException notFound(String planId) {
        return new PlansException(Reason.PLAN_NOT_FOUND, "no plan " + planId, null);
    }

    @Override
    public List<SubscriptionSpan> subscriptionSpans(Instant from, Instant to) {
        return repository.spans(from, to);
    }
}
