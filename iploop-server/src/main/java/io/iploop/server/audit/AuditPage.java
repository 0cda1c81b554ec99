package io.iploop.server.audit;

import java.util.List;

/** A page of audit entries, newest first; {@code page} counts from 1. Immutable. */
public record AuditPage(List<AuditEntry> items, int page, int limit, long total) {

    public AuditPage {
        items = List.copyOf(items);
    }
}
