package io.iploop.server.accounts;

import java.util.Locale;

/**
 * Account status (docs/product/accounts.md#account-statuses-and-roles, plus {@code banned} for admins): only {@code active} accounts may
 * log in, use the REST API or the proxy.
 */
public enum UserStatus {
    /** Normal. */
    ACTIVE,
    /** Blocked by an admin for now (unpaid, under review); may be reactivated. */
    SUSPENDED,
    /** Blocked by an admin for abuse; an admin may still reactivate it. */
    BANNED,
    /** Soft-deleted by an admin: the row stays for the audit log and usage history. */
    DELETED;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UserStatus fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
