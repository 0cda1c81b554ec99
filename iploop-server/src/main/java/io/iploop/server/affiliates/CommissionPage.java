package io.iploop.server.affiliates;

import java.util.List;

/**
 * A page of an affiliate's commissions, newest first. Immutable.
 *
 * @param page 1-based
 * @param total commissions in all
 */
public record CommissionPage(List<AffiliateCommission> items, int page, int limit, long total) {

    public CommissionPage {
        items = List.copyOf(items);
    }
}
