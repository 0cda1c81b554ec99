package io.iploop.server.ledger;

import java.util.List;

/**
 * A page of an account's history, newest first.
 *
 * @param page 1-based
 * @param total entries in the whole history
 */
public record LedgerPage(List<LedgerLine> lines, int page, int limit, long total) {

    public LedgerPage {
        lines = List.copyOf(lines);
    }
}
