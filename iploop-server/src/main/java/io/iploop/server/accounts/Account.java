package io.iploop.server.accounts;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A user account as shown to its owner (never the password hash). Immutable.
 *
 * @param id users.id, internal
 * @param customerId public id used as the proxy username ({@code cust_} + 12 base32 characters)
 * @param mustChangePassword true for accounts created with a one-time password (the first admin)
 * @param twoFactorEnabled true once TOTP two-factor authentication was verified and enabled (docs/product/accounts.md#two-factor-authentication)
 * @param selfRegistered true when the account registered itself (sign-up page or API), false when
 *     the first start or an admin created it; with its sign-up subscription and an unverified
 *     e-mail such an account is a trial that may not use the proxy (docs/product/accounts.md#trial-accounts)
 */
public record Account(
        UUID id,
        String customerId,
        String email,
        String firstName,
        String lastName,
        @Nullable String company,
        @Nullable String phone,
        UserRole role,
        UserStatus status,
        boolean emailVerified,
        boolean mustChangePassword,
        Instant createdAt,
        @Nullable Instant lastLoginAt,
        boolean twoFactorEnabled,
        boolean selfRegistered) {}
