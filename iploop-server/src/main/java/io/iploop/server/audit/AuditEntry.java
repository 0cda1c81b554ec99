package io.iploop.server.audit;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One row of the audit log as read back. Immutable. */
public record AuditEntry(long id, @Nullable UUID userId, String action, @Nullable String resourceType,
        @Nullable String resourceId, Map<String, String> details, @Nullable String ipAddress,
        @Nullable String userAgent, Instant createdAt) {}
