package io.iploop.server.campaigns.internal;

import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.WalletTopUps;
import io.iploop.server.campaigns.CampaignWalletInvoices;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
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
 * {@link io.iploop.server.campaigns.CampaignWalletToppedUp}). Thread-safe.
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
}
