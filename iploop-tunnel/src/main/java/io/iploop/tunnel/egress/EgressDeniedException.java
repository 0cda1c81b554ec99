package io.iploop.tunnel.egress;

/** The egress policy refused a destination. The message names the rule. Stackless. */
public final class EgressDeniedException extends Exception {

    private static final long serialVersionUID = 1L;

    public EgressDeniedException(String message) {
        super(message, null, false, false);
    }
}
