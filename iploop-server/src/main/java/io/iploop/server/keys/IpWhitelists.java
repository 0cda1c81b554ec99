package io.iploop.server.keys;

import io.iploop.server.keys.internal.IpWhitelistRules;
import java.util.List;

/**
 * The IP whitelist rules of keys (docs/product/accounts.md#ip-whitelist) for other features that
 * keep a whitelist of their own (sub-users: docs/sub-users.md): entries are IPv4/IPv6 addresses or
 * CIDR ranges without host bits, at most 50. Stateless, thread-safe.
 */
public final class IpWhitelists {

    private IpWhitelists() {}

    /**
     * The entries normalised (trimmed, lower case, duplicates removed, order kept).
     *
     * @param field the request field named in the error
     * @throws KeysException {@code INVALID_WHITELIST} (400) naming {@code field} and the first bad entry
     */
    public static List<String> validate(List<String> entries, String field) {
        return IpWhitelistRules.validate(entries, field);
    }
}
