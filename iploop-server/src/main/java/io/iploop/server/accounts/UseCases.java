package io.iploop.server.accounts;

import java.util.List;

/**
 * The fixed list of use cases (categories) a customer may declare for their account
 * (docs/operator-transparency.md#customer-categories). Operators see a customer's category on their
 * traffic page, never the customer's identity. The database CHECK constraint on
 * {@code users.use_case} holds the same list. Immutable, thread-safe.
 */
public final class UseCases {

    /** Every valid use case, in the order the settings page offers them. */
    public static final List<String> ALL = List.of("web_scraping", "price_monitoring", "seo", "ad_verification",
            "brand_protection", "market_research", "travel_fare_aggregation", "academic_research", "other");

    /** What operators see for a customer who declared no use case. Never stored. */
    public static final String UNDECLARED = "undeclared";

    private UseCases() {
    }

    /** Whether {@code useCase} is one of {@link #ALL} (exact, lower case). */
    public static boolean isValid(String useCase) {
        return ALL.contains(useCase);
    }
}
