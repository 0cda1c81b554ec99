package io.iploop.tunnel;

import java.net.UnknownHostException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Why a node could not open a stream (the reason byte of OPEN_FAIL, docs/protocol.md). */
public enum OpenFailure {
    /** The target refused the connection or reset it. */
    CONNECTION_REFUSED(1),
    /** The host name does not exist or has no address (DNS NXDOMAIN or NODATA). */
    DNS_FAILURE(2),
    /** No route, host unreachable, or any other network error. */
    UNREACHABLE(3),
    /** The connect attempt timed out. */
    TIMEOUT(4),
    /** The agent's egress policy forbids the target (docs/security.md#exits-the-data-plane). */
    FORBIDDEN(5),
    /** The agent is draining or over its stream limit. */
    UNAVAILABLE(6),
    /**
     * The resolver failed (DNS SERVFAIL, refused or timed out): the name may well exist. Sent
     * from protocol version 2 on; a version 1 session carries {@link #DNS_FAILURE} instead.
     */
    DNS_SERVER_FAILURE(7);

    private final int code;

    OpenFailure(int code) {
        this.code = code;
    }

    /** The wire code, 1-255. */
    public int code() {
        return code;
    }

    /**
     * The DNS RCODE name (RFC 8499 §3) for a DNS failure, as RFC 9209 §2.3.2 {@code dns_error}
     * reports it: {@code NXDOMAIN} or {@code SERVFAIL}; null for the other failures.
     */
    public @Nullable String dnsRcode() {
        return switch (this) {
            case DNS_FAILURE -> "NXDOMAIN";
            case DNS_SERVER_FAILURE -> "SERVFAIL";
            default -> null;
        };
    }

    /**
     * Classifies a failed name lookup. The JDK reports only the resolver's text (glibc
     * {@code gai_strerror}), so a temporary or non-recoverable resolver failure is told from a
     * name that does not exist by that text.
     */
    public static OpenFailure ofUnknownHost(UnknownHostException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("temporary failure") || m.contains("try again") || m.contains("non-recoverable")
                || m.contains("timed out") ? DNS_SERVER_FAILURE : DNS_FAILURE;
    }

    /** @throws IllegalArgumentException for an unknown code */
    public static OpenFailure ofCode(int code) {
        for (OpenFailure f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        throw new IllegalArgumentException("open failure code: " + code + " (expected: 1-7)");
    }
}
