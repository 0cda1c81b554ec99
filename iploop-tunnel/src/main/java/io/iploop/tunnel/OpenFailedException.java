package io.iploop.tunnel;

/** An OPEN answered with OPEN_FAIL, or never answered. Stackless. */
public final class OpenFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final OpenFailure failure;

    public OpenFailedException(OpenFailure failure, String message) {
        super(message, null, false, false);
        this.failure = failure;
    }

    /** The reason the node gave ({@link OpenFailure#TIMEOUT} if it did not answer in time). */
    public OpenFailure failure() {
        return failure;
    }
}
