package io.iploop.server.web.internal;

import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlanSpec;
import io.iploop.server.plans.TargetingOptions;
import io.iploop.server.platform.RecordViolations;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The plans editor's form (docs/product/admin.md#plans) as typed: every value a string,
 * blank meaning "unlimited"/"custom" where the plan allows it. {@link #errors} names each field
 * at fault: what the form itself must check (text that is not a number, a required field left
 * blank), then the plan rules, which are {@link PlanSpec}'s Bean Validation constraints, the same
 * ones the plans service and the REST API apply; {@link #spec} builds the {@link PlanSpec} once
 * they are empty. Immutable.
 *
 * @param id the new plan's id (create only): 2-40 of {@code a-z 0-9 _ -}
 * @param targeting the ticked targeting options; {@code country} is always added
 */
record PlanForm(String id, String name, String description, String priceMonthly, String pricePerGb, String includedGb,
        String requestsPerSecond, String requestsPerDay, String maxConcurrentConnections, String maxStickyLifetimeSeconds,
        boolean stickySessions, List<String> targeting, boolean active) {

    /** Targeting options in display order: the gateway's {@code TargetingOption}s. */
    static final List<String> TARGETING = TargetingOptions.Check.PARAMETERS;

    /** Hibernate Validator's default factory: thread-safe, built once. */
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    PlanForm {
        targeting = List.copyOf(targeting);
    }

    /** A form for a new plan: 1 GB, 10 min sticky sessions, country targeting, active. */
    static PlanForm blank() {
        return new PlanForm("", "", "", "", "", "1", "", "", "", "600", false, List.of("country"), true);
    }

    /** The form showing an existing plan. */
    static PlanForm of(PlanDetails d) {
        var p = d.plan();
        return new PlanForm(p.id(), p.name(), p.description() == null ? "" : p.description(),
                str(p.priceMonthly() == null ? null : p.priceMonthly().amount()),
                str(p.pricePerGb() == null ? null : p.pricePerGb().amount()), str(p.includedGb()),
                str(p.requestsPerSecond()), str(p.requestsPerDay()), str(p.maxConcurrentConnections()),
                String.valueOf(p.maxStickyLifetimeSeconds()), p.stickySessions(), p.targeting(), d.active());
    }

    /** Field name to message, in form order; empty when valid. {@code creating} also checks {@link #id}. */
    Map<String, String> errors(boolean creating) {
        Map<String, String> e = new LinkedHashMap<>();
        if (creating && !id.strip().matches(PlanSpec.ID_PATTERN)) {
            e.put("id", "Id: " + PlanSpec.ID_RULE);
        }
        decimal(e, "priceMonthly", priceMonthly, "Monthly price");
        decimal(e, "pricePerGb", pricePerGb, "Price per GB");
        decimal(e, "includedGb", includedGb, "Included GB");
        integer(e, "requestsPerSecond", requestsPerSecond, "Requests per second");
        integer(e, "requestsPerDay", requestsPerDay, "Requests per day");
        integer(e, "maxConcurrentConnections", maxConcurrentConnections, "Concurrent connections");
        if (maxStickyLifetimeSeconds.isBlank()) {
            e.put("maxStickyLifetimeSeconds", "Sticky lifetime is required (seconds, at least 1)");
        } else {
            integer(e, "maxStickyLifetimeSeconds", maxStickyLifetimeSeconds, "Sticky lifetime");
        }
        // The plan rules, on what parsed; a field that did not parse keeps the form's message.
        RecordViolations.byField(PlanSpec.class, VALIDATOR.validate(spec(null, 0, e.keySet()))).forEach((field, v) ->
                e.putIfAbsent(field, LABELS.getOrDefault(field, field) + ": " + v.message()));
        return e;
    }

    /** Form labels of the {@link PlanSpec} fields the form edits, for messages. */
    private static final Map<String, String> LABELS = Map.ofEntries(Map.entry("name", "Name"),
            Map.entry("description", "Description"), Map.entry("priceMonthly", "Monthly price"),
            Map.entry("pricePerGb", "Price per GB"), Map.entry("includedGb", "Included GB"),
            Map.entry("requestsPerSecond", "Requests per second"), Map.entry("requestsPerDay", "Requests per day"),
            Map.entry("maxConcurrentConnections", "Concurrent connections"),
            Map.entry("maxStickyLifetimeSeconds", "Sticky lifetime"), Map.entry("targeting", "Targeting"));

    /**
     * The plan content of this (valid) form; currency, features and sort order are kept from
     * {@code existing} (or USD, none and {@code sortOrder} for a new plan).
     */
    PlanSpec spec(@Nullable PlanSpec existing, int sortOrder) {
        return spec(existing, sortOrder, Set.of());
    }

    /** The spec, with the fields named in {@code unparsed} left null (or 0) because their text is not a number. */
    private PlanSpec spec(@Nullable PlanSpec existing, int sortOrder, Set<String> unparsed) {
        // Country first, the rest in display order; an option the form does not know stays, so the
        // plan rules refuse it by name.
        List<String> t = new ArrayList<>(List.of("country"));
        TARGETING.stream().filter(x -> !x.equals("country") && targeting.contains(x)).forEach(t::add);
        targeting.stream().filter(x -> !TARGETING.contains(x)).forEach(t::add);
        return new PlanSpec(name.strip(), description.isBlank() ? null : description.strip(),
                existing == null ? "USD" : existing.currency(), dec(priceMonthly, "priceMonthly", unparsed),
                existing == null ? null : existing.priceAnnual(), dec(pricePerGb, "pricePerGb", unparsed),
                existing == null ? null : existing.overagePerGb(), dec(includedGb, "includedGb", unparsed),
                integer(requestsPerSecond, "requestsPerSecond", unparsed),
                integer(requestsPerDay, "requestsPerDay", unparsed),
                integer(maxConcurrentConnections, "maxConcurrentConnections", unparsed),
                unparsed.contains("maxStickyLifetimeSeconds") ? 1 : Long.parseLong(maxStickyLifetimeSeconds.strip()),
                stickySessions, t, existing == null ? List.of() : existing.features(),
                existing == null ? sortOrder : existing.sortOrder(), active);
    }

    /** Text that is not a number; the value's range is a plan rule ({@link PlanSpec}). */
    private static void decimal(Map<String, String> e, String field, String v, String label) {
        if (v.isBlank()) {
            return;
        }
        try {
            new BigDecimal(v.strip());
        } catch (NumberFormatException x) {
            e.put(field, label + " must be a number, e.g. 12.50 (empty: unlimited)");
        }
    }

    /** Text that is not a whole number in int range; the value's range is a plan rule ({@link PlanSpec}). */
    private static void integer(Map<String, String> e, String field, String v, String label) {
        if (v.isBlank()) {
            return;
        }
        try {
            Integer.parseInt(v.strip());
        } catch (NumberFormatException x) {
            e.put(field, label + " must be a whole number (empty: unlimited)");
        }
    }

    private static @Nullable BigDecimal dec(String v, String field, Set<String> unparsed) {
        return v.isBlank() || unparsed.contains(field) ? null : new BigDecimal(v.strip());
    }

    private static @Nullable Integer integer(String v, String field, Set<String> unparsed) {
        return v.isBlank() || unparsed.contains(field) ? null : Integer.valueOf(v.strip());
    }

    private static String str(@Nullable Object o) {
        return o == null ? "" : o instanceof BigDecimal b ? b.stripTrailingZeros().toPlainString() : o.toString();
    }
}
