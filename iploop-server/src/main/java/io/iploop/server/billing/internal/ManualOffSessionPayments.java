package io.iploop.server.billing.internal;

import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.OffSessionPayments;
import org.springframework.stereotype.Component;

/** The manual (bank transfer) provider: nothing can be charged off-session. Stateless. */
@Component
class ManualOffSessionPayments implements OffSessionPayments {

    @Override
    public boolean chargeOffSession(Invoice invoice) {
        return false;
    }
}
