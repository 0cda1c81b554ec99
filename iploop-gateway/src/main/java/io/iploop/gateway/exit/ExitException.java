package io.iploop.gateway.exit;

import java.util.List;

/**
 * Why an exit stream could not be opened. Carries the failure kind the listeners map to a
 * status (docs/product/proxy.md#error-responses) and, for {@link Failure#NO_MATCHING_EXIT}, the
 * nearest alternatives. Stackless: it is thrown on the hot path and its stack says nothing useful.
 */
public final class ExitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Failure kinds, each with its HTTP status. */
    public enum Failure {
        /** 503: no connected exit matches the targeting. */
        NO_MATCHING_EXIT,
        /** 502: the exit could not connect to the target (refused, reset, or the exit itself failed). */
        CONNECT_FAILED,
        /** 502: the target's name does not exist or has no address (DNS NXDOMAIN / NODATA). */
        DNS_NAME_NOT_FOUND,
        /** 502: the exit's resolver failed (DNS SERVFAIL, timeout); the name may exist. */
        DNS_SERVER_FAILURE,
        /** 502: no route to the target (host or network unreachable). */
        UNREACHABLE,
        /** 504: the exit did not answer in time. */
        TIMEOUT,
        /** 403: the target is forbidden by egress policy (private range, SMTP, blocklist). */
        FORBIDDEN_TARGET,
        /**
         * 503: a live {@code sesstype-strict} session's exit left or cannot serve, and a strict session
         * never moves (docs/product/proxy.md#sessions).
         */
        SESSION_EXIT_GONE,
        /** 503: the pool port's upstream is marked down by its health checks (docs/upstream-pool.md#health). */
        UPSTREAM_UNAVAILABLE
    }

    private final Failure failure;
    private final List<String> alternatives;

    /**
     * @param alternatives for {@code NO_MATCHING_EXIT}: targeting values that would match now,
     *     e.g. {@code country-DE}, {@code city-berlin}; empty otherwise
     */
    public ExitException(Failure failure, String message, List<String> alternatives) {
        super(message, null, false, false);
        this.failure = failure;
        this.alternatives = List.copyOf(alternatives);
    }

    public ExitException(Failure failure, String message) {
        this(failure, message, List.of());
    }

    public Failure failure() {
        return failure;
    }

    /** Alternatives for a 503, in order of preference; never null. */
    public List<String> alternatives() {
        return alternatives;
    }
}
