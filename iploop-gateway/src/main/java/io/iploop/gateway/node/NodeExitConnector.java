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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens customer streams through nodes: selects a node, sends OPEN, maps the node's answer to the
 * gateway's failure kinds (docs/product/proxy.md#error-responses: 502 connect failed, 504 timed
 * out, 403 forbidden by the
 * node's egress policy). A node that vanished or was busy between selection and OPEN, or that
 * sent nothing within the open deadline (suspect of being frozen, docs/protocol.md §6), is replaced
 * by another matching node once; nothing has been sent to the customer at that point. A request's
 * {@link ExitRequest#excludeNode()} is never used (docs/rotate-on-block.md). Destination names travel to the node unresolved (punycode for
 * IDNs). Every OPEN's outcome goes into the node's {@link NodeQuality}. A request that allows it
 * ({@link ExitRequest#reuseIdle()}) is served by an idle stream of the same customer, targeting and
 * destination on the node the selector chose, when there is one ({@link IdleExitStreams},
 * docs/exit-reuse.md): selection is the same either way, so reuse never changes which exit a
 * customer gets. Thread-safe.
 */
final class NodeExitConnector implements ExitConnector {

    private static final Logger log = LoggerFactory.getLogger(NodeExitConnector.class);

    private static final int RETRIES = 1;

    private final NodeSelector selector;
    private final Consumer<NodeQuality.Cause> failures;
    private final IdleExitStreams idle;

    /** @param failures told every failed OPEN's cause (the hub's metrics), on the node's event loop */
    NodeExitConnector(NodeSelector selector, Consumer<NodeQuality.Cause> failures) {
        this(selector, failures, new IdleExitStreams());
    }

    NodeExitConnector(NodeSelector selector, Consumer<NodeQuality.Cause> failures, IdleExitStreams idle) {
        this.selector = selector;
        this.failures = failures;
        this.idle = idle;
    }

    /** The idle streams kept for reuse (for the hub's gauge). */
    IdleExitStreams idleStreams() {
        return idle;
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
            // The excluded node is the selector's "avoid" (as for a retry after a failed OPEN):
            // skipped whenever another node matches; when none does it comes back, and is refused
            // here instead (docs/rotate-on-block.md: never the same node twice).
            node = selector.select(request, request.excludeNode());
        } catch (ExitException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (node.nodeId().equals(request.excludeNode())) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.NO_MATCHING_EXIT,
                    "no other exit node matches"));
        }
        if (request.reuseIdle()) {
            NodeExitStream kept = idle.take(IdleExitStreams.key(request, host, node.nodeId()));
            if (kept != null) {
                // A request the node serves, as one on a new stream is (the node record's counters).
                node.requests.incrementAndGet();
                node.successes.incrementAndGet();
                return CompletableFuture.completedFuture(kept);
            }
        }
        return attempt(node, request, host, RETRIES);
    }

    private CompletableFuture<ExitStream> attempt(NodeEntry node, ExitRequest request, String host, int retriesLeft) {
        node.requests.incrementAndGet();
        return node.session.openStream(host, request.port()).handle((stream, error) -> {
            if (error == null) {
                node.successes.incrementAndGet();
                node.quality.opened();
                ExitInfo info = new ExitInfo(node.nodeId(), node.admission.country(), node.admission.city(),
                        node.admission.asn(), request.targeting().session());
                return CompletableFuture.<ExitStream>completedFuture(new NodeExitStream(stream, node, info, idle,
                        IdleExitStreams.key(request, host, node.nodeId())));
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            NodeQuality.Cause why = NodeQuality.Cause.of(cause);
            node.quality.failed(why, System.nanoTime());
            failures.accept(why);
            if (retriesLeft > 0 && isNodeUnavailable(cause)) {
                UUID failed = node.nodeId();
                NodeEntry next;
                try {
                    next = selector.select(request, failed);
                } catch (ExitException e) {
                    return CompletableFuture.<ExitStream>failedFuture(e);
                }
                if (!next.nodeId().equals(failed) && !next.nodeId().equals(request.excludeNode())) {
                    return attempt(next, request, host, retriesLeft - 1);
                }
            }
            if (cause instanceof OpenFailedException ofe) {
                log.debug("OPEN {}:{} via node {} failed: {} {}", host, request.port(), node.nodeId(), ofe.failure(), ofe.getMessage());
            }
            return CompletableFuture.<ExitStream>failedFuture(toExitException(cause, host + ":" + request.port()));
        }).thenCompose(f -> f);
    }

    /**
     * Opens a stream on one given node, without selection or retry: the relay's half on the
     * gateway that holds the node (docs/deploy.md#cross-gateway-relay). The outcome goes into the
     * node's counters and {@link NodeQuality} as for a local customer's stream.
     *
     * @param host a host valid in OPEN ({@link io.iploop.tunnel.Payloads#isValidHost})
     * @return the stream, or fails with the node's raw cause ({@link io.iploop.tunnel.OpenFailedException},
     *     {@link ClosedChannelException}) so the relay can pass the reason on unchanged
     */
    CompletableFuture<ExitStream> openOn(NodeEntry node, String host, int port) {
        node.requests.incrementAndGet();
        return node.session.openStream(host, port).handle((stream, error) -> {
            if (error == null) {
                node.successes.incrementAndGet();
                node.quality.opened();
                ExitInfo info = new ExitInfo(node.nodeId(), node.admission.country(), node.admission.city(),
                        node.admission.asn(), null);
                return CompletableFuture.<ExitStream>completedFuture(new NodeExitStream(stream, node, info));
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            NodeQuality.Cause why = NodeQuality.Cause.of(cause);
            node.quality.failed(why, System.nanoTime());
            failures.accept(why);
            return CompletableFuture.<ExitStream>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    static boolean isNodeUnavailable(Throwable cause) {
        return cause instanceof ClosedChannelException
                || (cause instanceof OpenFailedException ofe && ofe.failure() == OpenFailure.UNAVAILABLE);
    }

    /**
     * The gateway's failure for a failed OPEN. The customer text names only what the customer
     * asked for ({@code target}), never the node's message: a node resolves names on its own
     * network and its errors may carry the private address a name resolved to.
     */
    static ExitException toExitException(Throwable cause, String target) {
        if (cause instanceof OpenFailedException ofe) {
            return switch (ofe.failure()) {
                case TIMEOUT -> new ExitException(ExitException.Failure.TIMEOUT, "the exit timed out connecting to " + target);
                case FORBIDDEN -> new ExitException(ExitException.Failure.FORBIDDEN_TARGET,
                        target + " is forbidden by the exit's egress policy");
                case UNAVAILABLE -> new ExitException(ExitException.Failure.CONNECT_FAILED, "the exit is unavailable");
                case CONNECTION_REFUSED -> new ExitException(ExitException.Failure.CONNECT_FAILED,
                        target + " refused the connection from the exit");
                case UNREACHABLE -> new ExitException(ExitException.Failure.UNREACHABLE, "the exit has no route to " + target);
                case DNS_FAILURE -> new ExitException(ExitException.Failure.DNS_NAME_NOT_FOUND,
                        "the exit could not resolve " + target + " (no such name)");
                case DNS_SERVER_FAILURE -> new ExitException(ExitException.Failure.DNS_SERVER_FAILURE,
                        "the exit's DNS resolver failed for " + target);
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
