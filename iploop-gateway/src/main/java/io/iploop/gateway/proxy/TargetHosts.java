package io.iploop.gateway.proxy;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;

/**
 * Validates the destination host a customer names, at the listener, before it reaches an exit,
 * a log line or a usage record: a host name per RFC 1035 §2.3.1 / RFC 1123 §2.1 (letters, digits
 * and hyphens; labels of 1-63 characters that neither start nor end with a hyphen; at most 253
 * characters; one trailing dot allowed), which also covers IDNA A-labels ({@code xn--…},
 * RFC 5890 §2.3.2.1) and dotted IPv4 literals, or an IPv6 literal where the listener allows one.
 * Everything else (control bytes, spaces, underscores, non-ASCII, user info) is refused with a
 * message naming the fault. Stateless, thread-safe.
 */
public final class TargetHosts {

    /** Longest host name, in characters (RFC 1035 §2.3.4 without the trailing dot). */
    public static final int MAX_HOST_CHARS = 253;
    /** Longest label, in characters (RFC 1035 §2.3.4). */
    public static final int MAX_LABEL_CHARS = 63;

    private TargetHosts() {}

    /**
     * @param host a host name or dotted IPv4 literal, as the customer sent it
     * @return null if {@code host} is a valid host name, else what is wrong with it (printable
     *     ASCII, safe to show the customer)
     */
    public static @Nullable String hostNameProblem(String host) {
        if (host.isEmpty()) {
            return "empty host name";
        }
        String name = host.endsWith(".") && host.length() > 1 ? host.substring(0, host.length() - 1) : host;
        if (name.length() > MAX_HOST_CHARS) {
            return "host name of " + name.length() + " characters (expected: at most " + MAX_HOST_CHARS + ")";
        }
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            char c = i < name.length() ? name.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len == 0) {
                    return "empty label in host name (expected: labels of 1-" + MAX_LABEL_CHARS + " characters)";
                }
                if (len > MAX_LABEL_CHARS) {
                    return "label of " + len + " characters in host name (expected: at most " + MAX_LABEL_CHARS + ")";
                }
                if (name.charAt(labelStart) == '-' || name.charAt(i - 1) == '-') {
                    return "host name label starts or ends with a hyphen";
                }
                labelStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                return "invalid character " + describe(c) + " in host name (expected: letters, digits, hyphens and"
                        + " dots; IDNA names as xn-- A-labels)";
            }
        }
        return null;
    }

    /** @return null if {@code host} (without brackets) is a valid IPv6 literal, else what is wrong */
    public static @Nullable String ipv6Problem(String host) {
        return NetUtil.isValidIpV6Address(host) && host.indexOf('%') < 0 ? null : "invalid IPv6 literal (expected: [addr]:port)";
    }

    /** A character for an error message: itself if printable ASCII, else its code point. */
    static String describe(char c) {
        return c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("0x%02X", (int) c);
    }
}
