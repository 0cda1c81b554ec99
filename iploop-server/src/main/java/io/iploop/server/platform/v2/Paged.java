package io.iploop.server.platform.v2;

import java.util.List;

/**
 * One page of a list and the number of items on all pages: what a {@link V2List} handler returns
 * (the platform adds page and limit from the {@link ListQuery} to the envelope's {@code meta}), and
 * what paged feature service methods return. Immutable.
 *
 * @param items this page, in the requested order
 * @param total items matching the filters, all pages
 */
public record Paged<T>(List<T> items, long total) {

    public Paged {
        items = List.copyOf(items);
    }
}
