package io.iploop.server.ledger.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.CreditAdjustment;
import io.iploop.server.ledger.LedgerException;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Admin credit adjustments: one ledger transaction against the platform's adjustment account, and
 * its audit entry, in one database transaction. Thread-safe.
 */
@Component
class CreditAdjustments {

    private final LedgerService ledger;
    private final AccountsService accounts;
    private final AuditService audit;

    CreditAdjustments(LedgerService ledger, AccountsService accounts, AuditService audit) {
        this.ledger = ledger;
        this.accounts = accounts;
        this.audit = audit;
    }

    /**
     * @throws LedgerException {@code INVALID_AMOUNT} (zero credits, bad reason), {@code UNKNOWN_ACCOUNT}
     *     (no such user), {@code INSUFFICIENT_FUNDS} (would go below zero)
     */
    @Transactional
    PostedTransaction adjust(UUID adminId, CreditAdjustment adjustment) {
        if (adjustment.credits() == 0) {
            throw new LedgerException(LedgerException.Reason.INVALID_AMOUNT, "credits: 0 (expected: non-zero)",
                    "credits");
        }
        String reason = adjustment.reason().strip();
        if (reason.length() < 3 || reason.length() > 500) {
            throw new LedgerException(LedgerException.Reason.INVALID_AMOUNT,
                    "reason: " + reason.length() + " characters (expected: 3-500)", "reason");
        }
        if (accounts.find(adjustment.userId()).isEmpty()) {
            throw new LedgerException(LedgerException.Reason.UNKNOWN_ACCOUNT, "no such user", "userId");
        }
        UUID earnings = ledger.account(adjustment.userId(), AccountPurpose.OPERATOR_EARNINGS).id();
        UUID counterpart = ledger.platformAccount(AccountPurpose.EARN_ADJUSTMENTS).id();
        PostedTransaction tx = ledger.post(new NewTransaction(TransactionKind.ADJUSTMENT,
                adjustment.idempotencyKey() == null ? null : "adjustment:" + adjustment.idempotencyKey(),
                "Adjustment: " + reason,
                java.util.List.of(Posting.credits(earnings, adjustment.credits()),
                        Posting.credits(counterpart, -adjustment.credits())),
                null, adminId, Map.of("reason", reason)));
        if (!tx.replayed()) {
            audit.record(new AuditEvent(adminId, AuditAction.LEDGER_ADJUSTED, "user", adjustment.userId().toString(),
                    Map.of("credits", Long.toString(adjustment.credits()), "reason", reason,
                            "transactionId", tx.id().toString())));
        }
        return tx;
    }
}
