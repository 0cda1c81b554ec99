package io.iploop.gateway.auth;

import io.iploop.gateway.error.ProxyError;

/**
 * Proxy credentials could not be parsed. {@link #error()} is
 * {@link ProxyError#BAD_CREDENTIALS} or {@link ProxyError#MISSING_CREDENTIALS} (407) for a
 * malformed user name or key, {@link ProxyError#INVALID_TARGETING} (400) for a malformed,
 * unknown or repeated parameter; the message names the parameter and what is expected, e.g.
 * {@code lifetime: '0' (expected: minutes, or a number followed by s or h, > 0)}. Stackless.
 */
public final class CredentialException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ProxyError error;

    public CredentialException(ProxyError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /** The error to answer with. */
    public ProxyError error() {
        return error;
    }
}
