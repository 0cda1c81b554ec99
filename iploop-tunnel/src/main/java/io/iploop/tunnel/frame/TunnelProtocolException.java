package io.iploop.tunnel.frame;

/** The peer broke the protocol; the session is closed with code 4400. Stackless. */
public final class TunnelProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TunnelProtocolException(String message) {
        super(message, null, false, false);
    }
}
