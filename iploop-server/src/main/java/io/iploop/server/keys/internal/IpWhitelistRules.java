package io.iploop.server.keys.internal;

import java.util.List;

/** The bridge from {@link io.iploop.server.keys.IpWhitelists} to the package-private {@link IpWhitelist}. */
public final class IpWhitelistRules {

    private IpWhitelistRules() {}

    /** See {@link io.iploop.server.keys.IpWhitelists#validate}. */
    public static List<String> validate(List<String> entries, String field) {
        return IpWhitelist.validate(entries, field);
    }
}
