package io.iploop.server.accounts;

import org.jspecify.annotations.Nullable;

/**
 * What is needed to create an account; {@code password} is the clear-text password (hashed with
 * bcrypt before storage, never kept). Immutable.
 */
public record NewAccount(
        String email,
        String password,
        String firstName,
        String lastName,
        @Nullable String company,
        UserRole role,
        boolean mustChangePassword) {

    /** A self-registered customer (docs/product/accounts.md#registration). */
    public static NewAccount customer(String email, String password, String firstName, String lastName,
            @Nullable String company) {
        return new NewAccount(email, password, firstName, lastName, company, UserRole.CUSTOMER, false);
    }
}
