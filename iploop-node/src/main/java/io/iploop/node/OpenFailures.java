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
            case UnknownHostException e -> OpenFailure.ofUnknownHost(e);
            case ConnectTimeoutException _ -> OpenFailure.TIMEOUT;
            case NoRouteToHostException _ -> OpenFailure.UNREACHABLE;
            case ConnectException _ -> OpenFailure.CONNECTION_REFUSED;
            default -> OpenFailure.UNREACHABLE;
        };
    }

    /**
     * A one-line message for the gateway: never a stack trace, and never the address the name
     * resolved to (the JDK's connect errors name it, and on a home network it may be private).
     */
    static String describe(String host, int port, Throwable cause) {
        if (cause instanceof UnknownHostException e) {
            return of(e) == OpenFailure.DNS_SERVER_FAILURE
                    ? "resolving host " + host + " failed (server failure)"
                    : "host " + host + " does not resolve";
        }
        if (cause instanceof EgressDeniedException) {
            String detail = cause.getMessage();
            return detail == null ? "destination is forbidden" : detail;
        }
        String what = switch (of(cause)) {
            case TIMEOUT -> "connect timed out";
            case CONNECTION_REFUSED -> "connection refused";
            default -> "unreachable (" + cause.getClass().getSimpleName() + ")";
        };
        return host + ":" + port + ": " + what;
    }
}
