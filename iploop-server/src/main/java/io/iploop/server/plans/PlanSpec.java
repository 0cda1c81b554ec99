package io.iploop.server.plans;

import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The editable content of a plan (docs/product/plans.md#catalogue, docs/product/admin.md#plans), as an admin creates
 * or replaces it. Null prices, allowances and limits mean "custom"/"unlimited", as in {@link Plan};
 * amounts are in {@code currency}. Immutable.
 *
 * <p>The Bean Validation constraints here are the plan rules, in one place: the plans service
 * validates every spec it stores with them, the REST API reports their violations as 400
 * {@code validation_failed} naming the field, and the dashboard's plan form shows the same
 * violations next to its fields.
 *
 * @param includedGb monthly allowance in GB (10^9 bytes), null for no byte limit
 * @param maxStickyLifetimeSeconds longest sticky-session lifetime, seconds, > 0
 * @param targeting subset of {@code country, state, city, zip, asn, isp}; {@code country} is always included
 * @param sortOrder position in the catalogue, ascending
 */
public record PlanSpec(
        @NotBlank @Size(max = MAX_NAME) String name,
        @Size(max = MAX_DESCRIPTION) @Nullable String description,
        @Pattern(regexp = "[A-Z]{3}", message = "ISO 4217 code such as USD") String currency,
        @PositiveOrZero @Digits(integer = 10, fraction = 2) @Nullable BigDecimal priceMonthly,
        @PositiveOrZero @Digits(integer = 10, fraction = 2) @Nullable BigDecimal priceAnnual,
        @PositiveOrZero @Digits(integer = 6, fraction = 4) @Nullable BigDecimal pricePerGb,
        @PositiveOrZero @Digits(integer = 6, fraction = 4) @Nullable BigDecimal overagePerGb,
        @PositiveOrZero @Digits(integer = 9, fraction = 3) @Nullable BigDecimal includedGb,
        @Positive @Nullable Integer requestsPerSecond,
        @Positive @Nullable Integer requestsPerDay,
        @Positive @Nullable Integer maxConcurrentConnections,
        @Positive long maxStickyLifetimeSeconds,
        boolean stickySessions,
        @Size(max = 6) @TargetingOptions List<@NotBlank String> targeting,
        @Size(max = 20) List<@NotBlank @Size(max = 200) String> features,
        int sortOrder,
        boolean active) {

    /** Longest plan name, characters. */
    public static final int MAX_NAME = 100;
    /** Longest plan description, characters. */
    public static final int MAX_DESCRIPTION = 2000;
    /** A plan id: 2-40 of {@code a-z 0-9 _ -}, starting with a letter or digit (checked by {@link PlansService#createPlan}). */
    public static final String ID_PATTERN = "[a-z0-9][a-z0-9_-]{1,39}";
    /** {@link #ID_PATTERN} in words, for messages. */
    public static final String ID_RULE = "2-40 of a-z 0-9 _ -, starting with a letter or digit";

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
