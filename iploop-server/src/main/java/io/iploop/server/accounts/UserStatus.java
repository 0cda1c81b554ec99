package io.iploop.server.accounts;

import java.util.Locale;

/** Account status (seed 001 §6.1): only {@code active} accounts may log in or use the proxy. */
public enum UserStatus {
    ACTIVE, SUSPENDED, DELETED;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UserStatus fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
