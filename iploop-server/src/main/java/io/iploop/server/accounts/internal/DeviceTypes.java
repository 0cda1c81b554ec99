package io.iploop.server.accounts.internal;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A rough device type from a {@code User-Agent} for the sessions list (docs/product/accounts.md#login-sessions): enough to
 * tell "my phone" from "my laptop" from "a script", not a full UA parser. Stateless.
 */
final class DeviceTypes {

    static final String DESKTOP = "desktop";
    static final String MOBILE = "mobile";
    static final String TABLET = "tablet";
    static final String API_CLIENT = "api client";
    static final String UNKNOWN = "unknown";

    private static final String[] API_CLIENTS = {"curl/", "wget/", "python", "java-http-client", "java/", "okhttp",
            "go-http-client", "postmanruntime", "axios", "node-fetch", "httpie", "insomnia", "libwww-perl", "ruby"};

    private DeviceTypes() {
    }

    /** One of the constants above; {@link #UNKNOWN} for a missing or unrecognised agent. */
    static String of(@Nullable String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return UNKNOWN;
        }
        String ua = userAgent.toLowerCase(Locale.ROOT);
        if (ua.contains("ipad") || ua.contains("tablet") || (ua.contains("android") && !ua.contains("mobile"))) {
            return TABLET;
        }
        if (ua.contains("mobi") || ua.contains("iphone") || ua.contains("android")) {
            return MOBILE;
        }
        for (String client : API_CLIENTS) {
            if (ua.startsWith(client) || ua.contains(" " + client)) {
                return API_CLIENT;
            }
        }
        if (ua.contains("windows") || ua.contains("macintosh") || ua.contains("x11") || ua.contains("linux")
                || ua.contains("cros")) {
            return DESKTOP;
        }
        return UNKNOWN;
    }
}
