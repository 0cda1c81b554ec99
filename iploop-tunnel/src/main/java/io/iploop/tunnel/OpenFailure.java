package io.iploop.tunnel;

/** Why a node could not open a stream (the reason byte of OPEN_FAIL, docs/protocol.md). */
public enum OpenFailure {
    /** The target refused the connection or reset it. */
    CONNECTION_REFUSED(1),
    /** The host name did not resolve. */
    DNS_FAILURE(2),
    /** No route, host unreachable, or any other network error. */
    UNREACHABLE(3),
    /** The connect attempt timed out. */
    TIMEOUT(4),
    /** The agent's egress policy forbids the target (DESIGN §6). */
    FORBIDDEN(5),
    /** The agent is draining or over its stream limit. */
    UNAVAILABLE(6);

    private final int code;

    OpenFailure(int code) {
        this.code = code;
    }

    /** The wire code, 1-255. */
    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException for an unknown code */
    public static OpenFailure ofCode(int code) {
        for (OpenFailure f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        throw new IllegalArgumentException("open failure code: " + code + " (expected: 1-6)");
    }
}
