package io.iploop.server.platform;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The caller of an {@code /api/**} request, taken from a verified JWT. Controllers receive it with
 * {@code @AuthenticationPrincipal}; every query on tenant data is scoped by {@link #userId()}.
 * Immutable.
 *
 * @param userId users.id
 * @param customerId the public customer id ({@code cust_…})
 * @param role {@code customer}, {@code operator} or {@code admin}, as of token issue
 * @param sessionId the login session the token belongs to (JWT claim {@code sid}, docs/product/accounts.md#login-sessions);
 *     null only for a principal that is about to be put into a new token
 * @param twoFactor true when the token was issued after a second factor (TOTP or backup code,
 *     docs/product/accounts.md#two-factor-authentication): its {@code amr} claim contains {@code otp}
 */
public record AuthenticatedUser(UUID userId, String customerId, String email, String role,
        @Nullable UUID sessionId, boolean twoFactor) {

    /** A principal without session and second factor (tests, token issue before the session exists). */
    public AuthenticatedUser(UUID userId, String customerId, String email, String role) {
        this(userId, customerId, email, role, null, false);
    }

    /** True for the {@code admin} role. */
    public boolean isAdmin() {
        return "admin".equals(role);
    }

    /** The same principal in session {@code sid}, with or without a second factor. */
    public AuthenticatedUser inSession(UUID sid, boolean withTwoFactor) {
        return new AuthenticatedUser(userId, customerId, email, role, sid, withTwoFactor);
    }
}
