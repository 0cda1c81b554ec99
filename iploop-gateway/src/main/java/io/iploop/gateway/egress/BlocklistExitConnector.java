package io.iploop.gateway.egress;

import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.spi.BlockedDestination;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of every exit: a target on the {@link DestinationBlocklist} fails with
 * {@link ExitException.Failure#FORBIDDEN_TARGET} (HTTP 403 {@code target_forbidden}, SOCKS5 reply
 * 0x02) before the delegate chooses a node or connects; other targets pass through unchanged.
 * HTTP absolute-form, CONNECT and SOCKS5 CONNECT all open their streams here. Never blocks;
 * thread-safe.
 */
public final class BlocklistExitConnector implements ExitConnector {

    private static final Logger log = LoggerFactory.getLogger(BlocklistExitConnector.class);

    private final DestinationBlocklist blocklist;
    private final ExitConnector delegate;

    public BlocklistExitConnector(DestinationBlocklist blocklist, ExitConnector delegate) {
        this.blocklist = blocklist;
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<ExitStream> open(ExitRequest request) {
        BlockedDestination hit = blocklist.match(request.host(), request.port());
        if (hit != null) {
            log.debug("target {}:{} refused by the blocklist ({})", request.host(), request.port(), hit.reason());
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.FORBIDDEN_TARGET,
                    "the destination is blocked by the platform's egress policy"));
        }
        return delegate.open(request);
    }
}
