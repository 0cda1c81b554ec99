package io.iploop.server.billing;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * An invoice's state (docs/billing.md#invoices): {@code open} until an admin marks it {@code paid}
 * or {@code void}; {@code void} is final. A paid invoice whose payment fails afterwards becomes
 * {@code failed} (final; docs/billing.md#failed-payments).
 */
public enum InvoiceStatus {
    OPEN,
    PAID,
    VOID,
    FAILED;

    /** The lower-case name used in JSON, query parameters and the database. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The status named {@code value} (any case).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static InvoiceStatus of(String value) {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
    }
}
