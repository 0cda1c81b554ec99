package io.iploop.server.accounts;

import java.util.Locale;

/** Account roles (docs/product/accounts.md#account-statuses-and-roles plus {@code operator} for node operators). */
public enum UserRole {
    /** Buys proxy traffic. */
    CUSTOMER,
    /** Runs exit nodes with node keys (and may also buy traffic). */
    OPERATOR,
    /** Platform administrator. */
    ADMIN;

    /** The value stored in {@code users.role} and carried in JWTs. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UserRole fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
