package io.iploop.server.accounts;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account as the API shows it and the dashboard stores it (docs/product/accounts.md#login): the
 * {@code user} object of the auth, profile and admin user answers, without secrets. Role and status
 * are their database names ({@code customer}, {@code active}, …). Immutable.
 *
 * @param lastLoginAt null before the first login
 */
public record UserView(UUID id, String customerId, String email, String firstName, String lastName,
        @Nullable String company, @Nullable String phone, String role, String status, boolean emailVerified,
        boolean mustChangePassword, boolean twoFactorEnabled, Instant createdAt, @Nullable Instant lastLoginAt) {

    /** The view of {@code a}. */
    public static UserView of(Account a) {
        return new UserView(a.id(), a.customerId(), a.email(), a.firstName(), a.lastName(), a.company(), a.phone(),
                a.role().dbValue(), a.status().dbValue(), a.emailVerified(), a.mustChangePassword(),
                a.twoFactorEnabled(), a.createdAt(), a.lastLoginAt());
    }
}
