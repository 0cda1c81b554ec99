package io.iploop.server.billing.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The stored VIES check of a buyer's EU VAT id (docs/billing.md#vies). Immutable.
 *
 * @param status {@code pending}, {@code valid}, {@code invalid} or {@code unavailable}; only
 *     {@code valid} gives reverse charge
 * @param name the trader's name as VIES gave it, or null
 * @param address the trader's address as VIES gave it, or null
 * @param checkedAt when VIES answered (or was last tried), null while pending
 * @param consultationNumber VIES's request identifier, proof of the check; null when not given
 * @param message what happened, in words, for the customer (e.g. why it is unavailable)
 */
record ViesCheck(String status, @Nullable String name, @Nullable String address, @Nullable Instant checkedAt,
        @Nullable String consultationNumber, @Nullable String message) {

    /** Whether reverse charge may apply. */
    boolean valid() {
        return "valid".equals(status);
    }
}
