package io.iploop.server.cashouts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** The payout methods of docs/product/cashouts.md#methods; stored lower case in {@code cashout_methods_config.method}. */
public enum CashoutMethod {
    /** PayPal Payouts to an e-mail address; paid by the PayPal provider when configured. */
    PAYPAL,
    /** Tether on TRON (TRC-20); paid manually by an admin. */
    USDT,
    /** Bitcoin on-chain; paid manually by an admin. */
    BITCOIN,
    /** SWIFT/SEPA bank transfer (IBAN + BIC); paid manually by an admin. */
    BANK_TRANSFER,
    /** Amazon gift card sent to an e-mail address; paid manually by an admin. */
    AMAZON_GIFT_CARD,
    /** Revolut transfer to a Revtag (not offered yet: docs/product/cashouts.md#methods). */
    REVOLUT;

    /** The value stored and shown in the API, e.g. {@code bank_transfer}. */
    @JsonValue
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The method for an API or database value (case-insensitive), if known. */
    public static Optional<CashoutMethod> parse(String value) {
        for (CashoutMethod m : values()) {
            if (m.dbValue().equalsIgnoreCase(value.strip())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
