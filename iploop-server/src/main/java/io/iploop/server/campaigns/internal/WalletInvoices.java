package io.iploop.server.campaigns.internal;

import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.WalletTopUps;
import io.iploop.server.campaigns.CampaignWalletInvoices;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.WalletReversal;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Customer-requested EUR wallet invoices of the billing feature's manual provider
 * (docs/campaigns.md#wallet-invoices): {@link #request} asks billing for a numbered invoice with
 * payment instructions; when an admin marks it paid, billing calls {@link #fund} in its transaction,
 * which credits the wallet once with the key {@code campaign-topup:invoice:<id>} (publishing
 * {@link io.iploop.server.campaigns.CampaignWalletToppedUp}); a refund or chargeback of the paid invoice
 * calls {@link #reverse}, which takes the share back (docs/campaigns.md#refunds-and-chargebacks). Thread-safe.
 */
@Component
class WalletInvoices implements WalletTopUps, CampaignWalletInvoices {

    static final String CURRENCY = "EUR";

    private final CampaignWalletService wallet;
    private final BillingService billing;

    WalletInvoices(CampaignWalletService wallet, @Lazy BillingService billing) {
        this.wallet = wallet;
        this.billing = billing;
    }

    @Override
    public Invoice request(UUID userId, @Nullable String amount) {
        BigDecimal value = ManualWalletCredits.amount(amount);
        if (value.compareTo(BigDecimal.ONE) < 0) {
            throw new CampaignsException(Reason.INVALID, "amount must be at least 1 EUR", "amount");
        }
        return billing.requestWalletTopUp(userId, CURRENCY, value.movePointRight(2).longValueExact(),
                "Campaign wallet top-up (EUR " + value.setScale(2).toPlainString() + ")");
    }

    @Override
    public List<Invoice> list(UUID userId) {
        return billing.invoices(userId, 200).stream().filter(i -> i.packageKind() == PackageKind.WALLET).toList();
    }

    @Override
    public UUID fund(Invoice invoice) {
        if (invoice.packageKind() != PackageKind.WALLET || !CURRENCY.equals(invoice.currency())) {
            throw new IllegalArgumentException("not a EUR wallet invoice: " + invoice.number());
        }
        return wallet.credit(invoice.userId(), BigDecimal.valueOf(invoice.subtotalCents(), 2),
                "campaign-topup:invoice:" + invoice.id(), "Invoice " + invoice.number() + " paid",
                Map.of("provider", invoice.provider(), "invoiceId", invoice.id().toString(),
                        "invoiceNumber", invoice.number())).transactionId();
    }

    @Override
    public UUID reverse(Invoice invoice, long amountCents, String key, boolean chargeback, String description) {
        if (invoice.packageKind() != PackageKind.WALLET || !CURRENCY.equals(invoice.currency())) {
            throw new IllegalArgumentException("not a EUR wallet invoice: " + invoice.number());
        }
        try {
            WalletReversal r = wallet.reverse("campaign-topup:invoice:" + invoice.id(), BigDecimal.valueOf(amountCents, 2),
                    "campaign-topup-reversal:" + key, !chargeback, description,
                    Map.of("provider", invoice.provider(), "invoiceId", invoice.id().toString(),
                            "invoiceNumber", invoice.number()));
            if (r.transactionId() == null) {
                // Billing checked the invoice's refundable cents under its row lock, so this means the ledger
                // and the invoice disagree: refuse rather than issue a credit note that moved nothing.
                throw new IllegalStateException("nothing left to reverse of the wallet top-up of invoice " + invoice.number());
            }
            return r.transactionId();
        } catch (CampaignsException e) {
            if (e.reason() == Reason.REVERSAL_EXCEEDS_UNSPENT) {
                throw new BillingException(BillingException.Reason.REFUND_EXCEEDS_UNSPENT, "the customer has spent part of "
                        + "the campaign wallet top-up of invoice " + invoice.number() + ": " + e.getMessage()
                        + "; refund at most what the wallet holds, EUR " + wallet.balance(invoice.userId()).toPlainString(),
                        "amountCents");
            }
            throw e;
        }
    }
}
