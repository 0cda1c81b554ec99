package io.iploop.server.plans;

import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The editable content of a plan (docs/product/plans.md#catalogue, docs/product/admin.md#plans), as an admin creates
 * or replaces it. Null prices, allowances and limits mean "custom"/"unlimited", as in {@link Plan};
 * amounts are in {@code currency}. Immutable.
 *
 * @param includedGb monthly allowance in GB (10^9 bytes), null for no byte limit
 * @param maxStickyLifetimeSeconds longest sticky-session lifetime, seconds, > 0
 * @param targeting subset of {@code country, state, city, zip, asn, isp}; {@code country} is always included
 * @param sortOrder position in the catalogue, ascending
 */
public record PlanSpec(
        String name,
        @Nullable String description,
        String currency,
        @Nullable BigDecimal priceMonthly,
        @Nullable BigDecimal priceAnnual,
        @Nullable BigDecimal pricePerGb,
        @Nullable BigDecimal overagePerGb,
        @Nullable BigDecimal includedGb,
        @Nullable Integer requestsPerSecond,
        @Nullable Integer requestsPerDay,
        @Nullable Integer maxConcurrentConnections,
        long maxStickyLifetimeSeconds,
        boolean stickySessions,
        List<String> targeting,
        List<String> features,
        int sortOrder,
        boolean active) {

    public PlanSpec {
        targeting = List.copyOf(targeting);
        features = List.copyOf(features);
    }

    /** The spec of an existing plan, to be changed field by field. */
    public static PlanSpec of(PlanDetails d) {
        Plan p = d.plan();
        return new PlanSpec(p.name(), p.description(), d.currency(), amount(p.priceMonthly()), amount(p.priceAnnual()), amount(p.pricePerGb()), amount(p.overagePerGb()),
                p.includedGb(), p.requestsPerSecond(), p.requestsPerDay(), p.maxConcurrentConnections(),
                p.maxStickyLifetimeSeconds(), p.stickySessions(), p.targeting(), p.features(), d.sortOrder(), d.active());
    }

    private static @Nullable BigDecimal amount(io.iploop.server.platform.@Nullable Money m) {
        return m == null ? null : m.amount();
    }
}
