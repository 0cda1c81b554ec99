package io.iploop.gateway.exit;

import java.util.List;

/**
 * Why an exit stream could not be opened. Carries the failure kind the listeners map to a
 * status (DESIGN §3) and, for {@link Failure#NO_MATCHING_EXIT}, the nearest alternatives.
 * Stackless: it is thrown on the hot path and its stack says nothing useful.
 */
public final class ExitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Failure kinds, each with its HTTP status. */
    public enum Failure {
        /** 503: no connected exit matches the targeting. */
        NO_MATCHING_EXIT,
        /** 502: the exit could not connect to the target (refused, unreachable, DNS). */
        CONNECT_FAILED,
        /** 504: the exit did not answer in time. */
        TIMEOUT,
        /** 403: the target is forbidden by egress policy (private range, SMTP, blocklist). */
        FORBIDDEN_TARGET
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
