package io.iploop.server.platform;

import java.math.BigDecimal;
import java.util.Currency;

/**
 * An amount of money with its currency (docs/architecture.md#rules): never a double, never without
 * a currency, rounded to the currency's scale only at a boundary (invoice line, payout). Immutable.
 */
public record Money(BigDecimal amount, Currency currency) {

    public static Money of(BigDecimal amount, String currencyCode) {
        return new Money(amount, Currency.getInstance(currencyCode));
    }
}
