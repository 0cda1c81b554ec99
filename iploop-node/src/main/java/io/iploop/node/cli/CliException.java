package io.iploop.node.cli;

/**
 * A command failed with a message for the operator (never a stack trace) and an exit code:
 * {@link #RUNTIME} or {@link #USAGE}. Stackless.
 */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Something went wrong at run time (I/O, agent not running, not logged in). */
    static final int RUNTIME = 1;
    /** The command line or a setting value is wrong. */
    static final int USAGE = 2;
    /** {@code proxyclaw status}: the agent is not running (as LSB init scripts' {@code status}). */
    static final int NOT_RUNNING = 3;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    static CliException runtime(String message) {
        return new CliException(RUNTIME, message);
    }

    int exitCode() {
        return exitCode;
    }
}
