package io.iploop.server.audit;

import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An action to audit. The caller's IP and user agent are taken from the current HTTP request, if
 * any. Immutable.
 *
 * @param userId the account acting or affected; null when none is known (login with an unknown e-mail)
 * @param resourceType e.g. {@code user}, {@code api_key}, {@code node_key}; null for none
 * @param details small facts worth keeping (key name, token id); never secrets
 */
public record AuditEvent(@Nullable UUID userId, AuditAction action, @Nullable String resourceType,
        @Nullable String resourceId, Map<String, String> details) {

    public AuditEvent {
        details = Map.copyOf(details);
    }

    /** An event about the account itself ({@code resource_type = user}). */
    public static AuditEvent ofUser(UUID userId, AuditAction action, Map<String, String> details) {
        return new AuditEvent(userId, action, "user", userId.toString(), details);
    }
}
