package io.iploop.server.accounts;

import java.util.List;

/** One page of an {@link AccountSearch}: {@code total} counts every match over all pages. Immutable. */
public record AccountPage(List<Account> items, int page, int limit, long total) {

    public AccountPage {
        items = List.copyOf(items);
    }
}
