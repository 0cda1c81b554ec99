package io.iploop.server.billing;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A customer's prepaid credits (docs/billing.md#credits-api). Immutable.
 *
 * @param balanceUsd the ledger balance of {@code CUSTOMER_CREDITS}, 1 credit = USD 1
 * @param openSessions time-based targeting sessions still open
 * @param uncharged USD the open sessions have used and the next charging run deducts
 * @param hoursLeft hours the balance (less {@code uncharged}) lasts at each rate, by targeting
 *     option ({@code country}, {@code city}, {@code state}, {@code isp}), 2 decimals, rounded down
 */
public record CreditBalance(BigDecimal balanceUsd, List<FeatureSession> openSessions, BigDecimal uncharged,
        Map<String, BigDecimal> hoursLeft) {

    public CreditBalance {
        openSessions = List.copyOf(openSessions);
        hoursLeft = Collections.unmodifiableMap(new LinkedHashMap<>(hoursLeft));
    }
}
