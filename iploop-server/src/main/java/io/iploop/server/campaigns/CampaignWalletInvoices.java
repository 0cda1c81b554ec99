package io.iploop.server.campaigns;

import io.iploop.server.billing.Invoice;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Customer-requested invoices that top up the EUR campaign wallet through the billing feature's
 * manual (bank transfer) provider (docs/campaigns.md#wallet-invoices). An admin marks one paid in
 * billing; that credits the wallet once, key {@code campaign-topup:invoice:<id>}, and publishes
 * {@link CampaignWalletToppedUp}. Thread-safe.
 */
public interface CampaignWalletInvoices {

    /**
     * Requests an open invoice of {@code amount} EUR for {@code userId}'s wallet.
     *
     * @param amount EUR as typed ("250.00"): 1 to 10,000,000 with at most 2 decimals
     * @throws CampaignsException {@code INVALID} with field {@code amount}
     */
    Invoice request(UUID userId, @Nullable String amount);

    /** The user's wallet invoices, newest first, at most 200. */
    List<Invoice> list(UUID userId);
}
