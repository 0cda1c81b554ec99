package io.iploop.server.platform;

import java.util.UUID;

/**
 * The caller of an {@code /api/**} request, taken from a verified JWT. Controllers receive it with
 * {@code @AuthenticationPrincipal}; every query on tenant data is scoped by {@link #userId()}.
 * Immutable.
 *
 * @param userId users.id
 * @param customerId the public customer id ({@code cust_…})
 * @param role {@code customer}, {@code operator} or {@code admin}, as of token issue
 */
public record AuthenticatedUser(UUID userId, String customerId, String email, String role) {

    /** True for the {@code admin} role. */
    public boolean isAdmin() {
        return "admin".equals(role);
    }
}
