package io.iploop.server.billing;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How {@link FinanceService#revenue} groups its rows. */
public enum RevenueGrouping {
    /** One row per UTC day with money moving. */
    DAY,
    /** One row per buyer plan ({@code none} for buyers without a plan). */
    PLAN;

    /** The lower-case name used in JSON and the {@code groupBy} query parameter. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
