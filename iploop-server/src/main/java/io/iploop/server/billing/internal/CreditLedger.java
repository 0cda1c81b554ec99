package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.ledger.LedgerService;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The customer's prepaid-credit ledger lines (docs/billing.md#credits-api): the history of its
 * {@code CUSTOMER_CREDITS} account as the ledger keeps it (purchases, bonuses, per-minute targeting
 * charges, refunds), newest first. Read-only; thread-safe.
 */
@Component
class CreditLedger {

    private final LedgerService ledger;

    CreditLedger(LedgerService ledger) {
        this.ledger = ledger;
    }

    /**
     * One page of the user's credit lines; an account that never had credits has none (and none is created).
     *
     * @param page from 1
     * @param limit 1-100
     * @throws BillingException {@code VALIDATION} naming {@code page} or {@code limit}
     */
    LedgerPage transactions(UUID userId, int page, int limit) {
        if (page < 1) {
            throw new BillingException(Reason.VALIDATION, "page: " + page + " (expected: 1 or more)", "page");
        }
        if (limit < 1 || limit > 100) {
            throw new BillingException(Reason.VALIDATION, "limit: " + limit + " (expected: 1-100)", "limit");
        }
        return ledger.findAccount(userId, AccountPurpose.CUSTOMER_CREDITS)
                .map(a -> ledger.history(a.id(), page, limit))
                .orElseGet(() -> new LedgerPage(List.of(), page, limit, 0));
    }
}
