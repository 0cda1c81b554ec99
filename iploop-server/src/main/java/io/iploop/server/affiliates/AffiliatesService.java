package io.iploop.server.affiliates;

import io.iploop.server.cashouts.Cashout;
import java.time.Instant;
import java.util.UUID;

/**
 * The campaign affiliate programme's public API (docs/affiliates.md). Every user-facing method is
 * scoped to the caller. Thread-safe.
 */
public interface AffiliatesService {

    /** The caller's code, link, clicks, sign-ups and commission totals. */
    AffiliateOverview overview(UUID userId);

    /**
     * The caller's commissions, newest first.
     *
     * @param page 1-based
     * @param limit 1 to 100
     * @throws AffiliatesException {@code INVALID} (field {@code page} or {@code limit})
     */
    CommissionPage commissions(UUID userId, int page, int limit);

    /**
     * Requests a payout of available commission through the cash-outs feature (docs/affiliates.md#payouts):
     * the programme's minimum first, then everything a cash-out checks; the answer is the cash-out in
     * {@code awaiting_confirmation}, confirmed with the e-mailed code like any cash-out.
     *
     * @throws AffiliatesException {@code INVALID} (fields {@code method}, {@code amount}), {@code BELOW_MINIMUM}
     * @throws io.iploop.server.cashouts.CashoutsException as {@code CashoutsService.requestAffiliatePayout}
     */
    Cashout requestPayout(UUID userId, AffiliatePayoutRequest request);

    /**
     * Makes every pending commission whose holding period ended by {@code now} available: one ledger
     * transaction per commission, keyed {@code affiliate-release:<commission id>}, so a second run or a
     * second instance moves nothing twice. The job {@code affiliates-release} calls it hourly.
     *
     * @return how many commissions were released
     */
    int releaseDue(Instant now);
}
