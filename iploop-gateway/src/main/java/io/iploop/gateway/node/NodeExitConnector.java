package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.OpenFailedException;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.Payloads;
import java.net.IDN;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Opens customer streams through nodes: selects a node, sends OPEN, maps the node's answer to the
 * gateway's failure kinds (DESIGN §3: 502 connect failed, 504 timed out, 403 forbidden by the
 * node's egress policy). A node that vanished or was busy between selection and OPEN is replaced
 * by another matching node once. Destination names travel to the node unresolved (punycode for
 * IDNs). Thread-safe.
 */
final class NodeExitConnector implements ExitConnector {

    private static final int RETRIES = 1;

    private final NodeSelector selector;

    NodeExitConnector(NodeSelector selector) {
        this.selector = selector;
    }

    @Override
    public CompletableFuture<ExitStream> open(ExitRequest request) {
        String host = asciiHost(request.host());
        if (host == null) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.CONNECT_FAILED,
                    "invalid destination host '" + request.host() + "'"));
        }
        NodeEntry node;
        try {
            node = selector.select(request, null);
        } catch (ExitException e) {
            return CompletableFuture.failedFuture(e);
        }
        return attempt(node, request, host, RETRIES);
    }

    private CompletableFuture<ExitStream> attempt(NodeEntry node, ExitRequest request, String host, int retriesLeft) {
        node.requests.incrementAndGet();
        return node.session.openStream(host, request.port()).handle((stream, error) -> {
            if (error == null) {
                node.successes.incrementAndGet();
                ExitInfo info = new ExitInfo(node.nodeId(), node.admission.country(), node.admission.city(),
                        node.admission.asn(), request.targeting().session());
                return CompletableFuture.<ExitStream>completedFuture(new NodeExitStream(stream, node, info));
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (retriesLeft > 0 && isNodeUnavailable(cause)) {
                UUID failed = node.nodeId();
                NodeEntry next;
                try {
                    next = selector.select(request, failed);
                } catch (ExitException e) {
                    return CompletableFuture.<ExitStream>failedFuture(e);
                }
                if (!next.nodeId().equals(failed)) {
                    return attempt(next, request, host, retriesLeft - 1);
                }
            }
            return CompletableFuture.<ExitStream>failedFuture(toExitException(cause));
        }).thenCompose(f -> f);
    }

    private static boolean isNodeUnavailable(Throwable cause) {
        return cause instanceof ClosedChannelException
                || (cause instanceof OpenFailedException ofe && ofe.failure() == OpenFailure.UNAVAILABLE);
    }

    static ExitException toExitException(Throwable cause) {
        if (cause instanceof OpenFailedException ofe) {
            return switch (ofe.failure()) {
                case TIMEOUT -> new ExitException(ExitException.Failure.TIMEOUT, "exit timed out: " + ofe.getMessage());
                case FORBIDDEN -> new ExitException(ExitException.Failure.FORBIDDEN_TARGET,
                        "target forbidden by egress policy: " + ofe.getMessage());
                case UNAVAILABLE -> new ExitException(ExitException.Failure.CONNECT_FAILED, "exit unavailable: " + ofe.getMessage());
                case CONNECTION_REFUSED, DNS_FAILURE, UNREACHABLE ->
                        new ExitException(ExitException.Failure.CONNECT_FAILED,
                                "exit could not connect (" + ofe.failure().name().toLowerCase(Locale.ROOT) + "): " + ofe.getMessage());
            };
        }
        if (cause instanceof ClosedChannelException) {
            return new ExitException(ExitException.Failure.CONNECT_FAILED, "exit node disconnected");
        }
        return new ExitException(ExitException.Failure.CONNECT_FAILED, "exit failed: " + cause.getMessage());
    }

    /** The host as it travels in OPEN: IPv6 brackets removed, IDN in punycode; null if invalid. */
    static @Nullable String asciiHost(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return Payloads.isValidHost(h) ? h : null;
    }
}
