package io.iploop.server.billing;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a package buys (docs/billing.md#packages). */
public enum PackageKind {
    /** Prepaid USD credits, 1 credit = USD 1, plus any bonus. */
    CREDITS,
    /** GB (10^9 bytes) added to the active plan's balance. */
    GB;

    /** The lower-case name used in JSON and the database. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
