package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The full, decrypted payment details of a cash-out an admin pays by hand
 * (docs/product/cashouts.md#paying-by-hand): where to send {@code netAmountUsd}. Shown only to an admin
 * signed in with a second factor; every view is audited. Immutable.
 *
 * @param details the method's fields as the operator entered them, normalised (e.g. {@code address},
 *     {@code iban}, {@code bic}, {@code accountHolder}, {@code email})
 * @param masked the masked form shown everywhere else
 * @param viewedAt when this view was audited
 */
public record CashoutPaymentDetails(UUID cashoutId, UUID userId, CashoutMethod method, CashoutStatus status,
        BigDecimal netAmountUsd, String currency, Map<String, String> details, String masked, Instant viewedAt) {

    public CashoutPaymentDetails {
        details = Map.copyOf(details);
    }
}
