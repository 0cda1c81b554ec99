package io.iploop.server.billing;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why money went back to a customer (docs/billing.md#refunds). */
public enum CreditNoteKind {
    /** An admin refunded (part of) a paid invoice. */
    REFUND,
    /** The customer's bank or card issuer reversed the payment. */
    CHARGEBACK;

    /** The lower-case name used in JSON and the database. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
