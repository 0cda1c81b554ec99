/**
 * Traffic campaigns (docs/campaigns.md): load, geo and performance testing of a customer's own
 * site through the residential network. Projects with settings kept exactly as saved, the domains
 * a customer proved to control (DNS TXT or a well-known file), the CPM quote curve, and the EUR
 * campaign wallet on the ledger. The public API is {@link io.iploop.server.campaigns.CampaignsService}
 * (projects and the engine's view of them), {@link io.iploop.server.campaigns.CampaignDomainsService},
 * {@link io.iploop.server.campaigns.CampaignWalletService}, {@link io.iploop.server.campaigns.CampaignPricing} and
 * {@link io.iploop.server.campaigns.CampaignLivePulse} (the engine's live visits for pages).
 */
@NullMarked
package io.iploop.server.campaigns;

import org.jspecify.annotations.NullMarked;
