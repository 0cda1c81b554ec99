package io.iploop.server.usage;

import java.time.Instant;
import java.util.List;

/** The newest usage records of an account within {@code [from, to)}, newest first. Immutable. */
public record RecentUsage(int days, Instant from, Instant to, List<UsageEntry> records) {

    public RecentUsage {
        records = List.copyOf(records);
    }
}
