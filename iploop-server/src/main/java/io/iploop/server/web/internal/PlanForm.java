package io.iploop.server.web.internal;

import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlanSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The plans editor's form (docs/product/admin.md#plans) as typed: every value a string,
 * blank meaning "unlimited"/"custom" where the plan allows it. {@link #errors()} names each field
 * at fault with the rules of the REST API's plan request; {@link #spec} builds the
 * {@link PlanSpec} once they are empty. Immutable.
 *
 * @param id the new plan's id (create only): 2-40 of {@code a-z 0-9 _ -}
 * @param targeting the ticked targeting options; {@code country} is always added
 */
record PlanForm(String id, String name, String description, String priceMonthly, String pricePerGb, String includedGb,
        String requestsPerSecond, String requestsPerDay, String maxConcurrentConnections, String maxStickyLifetimeSeconds,
        boolean stickySessions, List<String> targeting, boolean active) {

    /** Targeting options in display order (the plans feature's allowed set). */
    static final List<String> TARGETING = List.of("country", "state", "city", "zip", "asn", "isp");

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
        if (creating && !id.strip().matches("[a-z0-9][a-z0-9_-]{1,39}")) {
            e.put("id", "Id: 2-40 of a-z 0-9 _ -, starting with a letter or digit");
        }
        if (name.isBlank() || name.strip().length() > 100) {
            e.put("name", "Name is required, at most 100 characters");
        }
        if (description.strip().length() > 1000) {
            e.put("description", "Description must be at most 1000 characters");
        }
        decimal(e, "priceMonthly", priceMonthly, "Monthly price");
        decimal(e, "pricePerGb", pricePerGb, "Price per GB");
        decimal(e, "includedGb", includedGb, "Included GB");
        integer(e, "requestsPerSecond", requestsPerSecond, "Requests per second", 1);
        integer(e, "requestsPerDay", requestsPerDay, "Requests per day", 1);
        integer(e, "maxConcurrentConnections", maxConcurrentConnections, "Concurrent connections", 1);
        if (maxStickyLifetimeSeconds.isBlank()) {
            e.put("maxStickyLifetimeSeconds", "Sticky lifetime is required (seconds, at least 1)");
        } else {
            integer(e, "maxStickyLifetimeSeconds", maxStickyLifetimeSeconds, "Sticky lifetime", 1);
        }
        for (String t : targeting) {
            if (!TARGETING.contains(t)) {
                e.put("targeting", "Unknown targeting option: " + t);
            }
        }
        return e;
    }

    /**
     * The plan content of this (valid) form; currency, features and sort order are kept from
     * {@code existing} (or USD, none and {@code sortOrder} for a new plan).
     */
    PlanSpec spec(@Nullable PlanSpec existing, int sortOrder) {
        List<String> t = new ArrayList<>(List.of("country"));
        TARGETING.stream().filter(x -> !x.equals("country") && targeting.contains(x)).forEach(t::add);
        return new PlanSpec(name.strip(), description.isBlank() ? null : description.strip(),
                existing == null ? "USD" : existing.currency(), dec(priceMonthly),
                existing == null ? null : existing.priceAnnual(), dec(pricePerGb),
                existing == null ? null : existing.overagePerGb(), dec(includedGb), integer(requestsPerSecond),
                integer(requestsPerDay), integer(maxConcurrentConnections), Long.parseLong(maxStickyLifetimeSeconds.strip()),
                stickySessions, t, existing == null ? List.of() : existing.features(),
                existing == null ? sortOrder : existing.sortOrder(), active);
    }

    private static void decimal(Map<String, String> e, String field, String v, String label) {
        if (v.isBlank()) {
            return;
        }
        try {
            if (new BigDecimal(v.strip()).signum() < 0) {
                e.put(field, label + " must not be negative");
            }
        } catch (NumberFormatException x) {
            e.put(field, label + " must be a number, e.g. 12.50 (empty: unlimited)");
        }
    }

    private static void integer(Map<String, String> e, String field, String v, String label, int min) {
        if (v.isBlank()) {
            return;
        }
        try {
            if (Long.parseLong(v.strip()) < min || Long.parseLong(v.strip()) > Integer.MAX_VALUE) {
                e.put(field, label + " must be at least " + min);
            }
        } catch (NumberFormatException x) {
            e.put(field, label + " must be a whole number (empty: unlimited)");
        }
    }

    private static @Nullable BigDecimal dec(String v) {
        return v.isBlank() ? null : new BigDecimal(v.strip());
    }

    private static @Nullable Integer integer(String v) {
        return v.isBlank() ? null : Integer.valueOf(v.strip());
    }

    private static String str(@Nullable Object o) {
        return o == null ? "" : o instanceof BigDecimal b ? b.stripTrailingZeros().toPlainString() : o.toString();
    }
}
