package io.iploop.server.usage;

import java.util.List;

/**
 * A page of {@link UsageDeadLetter}s, newest first.
 *
 * @param page 1-based
 * @param total dead letters in all
 */
public record UsageDeadLetterPage(List<UsageDeadLetter> items, int page, int limit, long total) {

    public UsageDeadLetterPage {
        items = List.copyOf(items);
    }
}
