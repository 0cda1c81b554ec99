package io.iploop.server.cashouts;

import java.util.List;

/**
 * A page of cash-outs, newest first. Immutable.
 *
 * @param page 1-based
 * @param total cash-outs in the whole history
 */
public record CashoutPage(List<Cashout> cashouts, int page, int limit, long total) {

    public CashoutPage {
        cashouts = List.copyOf(cashouts);
    }
}
