package io.iploop.gateway.exit;

import java.util.concurrent.CompletableFuture;

/**
 * Opens a byte stream to a destination through an exit chosen for the customer's targeting.
 * Thread-safe; never blocks the caller.
 */
public interface ExitConnector {

    /**
     * @return a future completed with the open stream once the exit has connected to the target,
     *     or completed exceptionally with an {@link ExitException} naming why not (503 no
     *     matching exit, 502 exit failed to connect, 504 timed out, 403 target forbidden)
     */
    CompletableFuture<ExitStream> open(ExitRequest request);
}
