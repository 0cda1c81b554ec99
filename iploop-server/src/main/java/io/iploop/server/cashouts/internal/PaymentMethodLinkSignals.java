package io.iploop.server.cashouts.internal;

import io.iploop.server.earn.AccountLinkSignals;
import io.iploop.server.platform.SecureTokens;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Verified saved payment methods as linked-account evidence (docs/earn-fraud.md): the SHA-256 of the
 * method and its normalised details (lower-case, trimmed, sorted by key). Only verified methods
 * count, because verification proves control: saving someone else's PayPal address unverified must
 * not cost them their earnings. Thread-safe.
 */
@Component
class PaymentMethodLinkSignals implements AccountLinkSignals {

    private final PaymentMethodRepository methods;
    private final DefaultCashoutsService service;

    PaymentMethodLinkSignals(PaymentMethodRepository methods, DefaultCashoutsService service) {
        this.methods = methods;
        this.service = service;
    }

    @Override
    public String kind() {
        return "payment-method";
    }

    @Override
    public Set<String> values(UUID userId) {
        Set<String> out = new HashSet<>();
        for (PaymentMethodRepository.Row row : methods.verifiedRows(userId)) {
            Map<String, String> details = new TreeMap<>();
            service.decrypt(userId, row.detailsEncrypted())
                    .forEach((k, v) -> details.put(k, v == null ? "" : v.strip().toLowerCase(Locale.ROOT)));
            out.add(SecureTokens.sha256Hex(row.view().method().dbValue() + ":" + details));
        }
        return out;
    }
}
