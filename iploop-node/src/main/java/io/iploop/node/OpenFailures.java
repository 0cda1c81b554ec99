package io.iploop.node;

import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.egress.EgressDeniedException;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** Maps why an exit could not be opened to the OPEN_FAIL reason the gateway sees. */
final class OpenFailures {

    private OpenFailures() {}

    /** The wire reason for {@code cause}; anything unexpected is {@link OpenFailure#UNREACHABLE}. */
    static OpenFailure of(Throwable cause) {
        // Order matters: Netty's ConnectTimeoutException is a ConnectException.
        return switch (cause) {
            case EgressDeniedException _ -> OpenFailure.FORBIDDEN;
            case UnknownHostException _ -> OpenFailure.DNS_FAILURE;
            case ConnectTimeoutException _ -> OpenFailure.TIMEOUT;
            case NoRouteToHostException _ -> OpenFailure.UNREACHABLE;
            case ConnectException _ -> OpenFailure.CONNECTION_REFUSED;
            default -> OpenFailure.UNREACHABLE;
        };
    }

    /** A one-line message for the gateway's log: never a stack trace. */
    static String describe(String host, int port, Throwable cause) {
        String detail = cause.getMessage();
        if (cause instanceof UnknownHostException) {
            return "host " + host + " does not resolve";
        }
        if (cause instanceof EgressDeniedException) {
            return detail == null ? "destination is forbidden" : detail;
        }
        return host + ":" + port + ": " + (detail == null ? cause.getClass().getSimpleName() : detail);
    }
}
