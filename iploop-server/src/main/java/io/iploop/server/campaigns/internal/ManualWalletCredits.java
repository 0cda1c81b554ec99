package io.iploop.server.campaigns.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.WalletCredit;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An admin's credit of a campaign wallet for money received outside the webhook (a bank transfer
 * against payment instructions), docs/campaigns.md#manual-funding. Idempotent by the admin's
 * reference per account (key {@code campaign-topup:manual:<user id>:<reference>}); audited.
 * Thread-safe.
 */
@Service
class ManualWalletCredits {

    private static final BigDecimal MAX = new BigDecimal("10000000");

    private final CampaignWalletService wallet;
    private final AccountsService accounts;
    private final AuditService audit;
    private final TransactionTemplate tx;

    ManualWalletCredits(CampaignWalletService wallet, AccountsService accounts, AuditService audit, TransactionTemplate tx) {
        this.wallet = wallet;
        this.accounts = accounts;
        this.audit = audit;
        this.tx = tx;
    }

    /**
     * A wallet amount as typed: more than 0 and at most 10,000,000 EUR with at most 2 decimals.
     *
     * @throws CampaignsException {@code INVALID} with field {@code amount} otherwise
     */
    static BigDecimal amount(@Nullable String amount) {
        BigDecimal value;
        try {
            value = amount == null ? null : new BigDecimal(amount.strip());
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || value.signum() <= 0 || value.stripTrailingZeros().scale() > 2 || value.compareTo(MAX) > 0) {
            throw new CampaignsException(Reason.INVALID,
                    "amount must be more than 0 and at most 10,000,000 EUR with at most 2 decimals", "amount");
        }
        return value;
    }

    /**
     * Credits {@code amount} EUR to {@code userId}'s wallet.
     *
     * @param reference 1-100 characters naming the payment (bank transfer id); the same reference again
     *     for the same account moves nothing and answers the first credit with {@code replayed} true
     * @throws CampaignsException {@code INVALID} naming {@code userId}, {@code amount} or {@code reference}
     * @throws io.iploop.server.ledger.LedgerException {@code IDEMPOTENCY_CONFLICT} (409) when the
     *     reference was used for another amount
     */
    WalletCredit credit(UUID adminId, UUID userId, @Nullable String amount, @Nullable String reference) {
        if (accounts.find(userId).isEmpty()) {
            throw new CampaignsException(Reason.INVALID, "no such account", "userId");
        }
        BigDecimal value = amount(amount);
        String ref = reference == null ? "" : reference.strip();
        if (ref.isEmpty() || ref.length() > 100) {
            throw new CampaignsException(Reason.INVALID, "reference (1-100 characters, e.g. the bank transfer id) is required",
                    "reference");
        }
        BigDecimal credited = value;
        return tx.execute(s -> {
            WalletCredit c = wallet.credit(userId, credited, "campaign-topup:manual:" + userId + ":" + ref,
                    "Manual top-up " + ref, Map.of("provider", "manual", "reference", ref, "creditedBy", adminId.toString()));
            audit.record(new AuditEvent(adminId, AuditAction.ADMIN_CAMPAIGN_WALLET_CREDITED, "user", userId.toString(),
                    Map.of("amount", credited.toPlainString(), "currency", "EUR", "reference", ref,
                            "replayed", Boolean.toString(c.replayed()))));
            return c;
        });
    }
}
