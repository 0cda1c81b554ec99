package io.iploop.gateway.spi;

import java.util.concurrent.CompletionStage;

/**
 * Admits node agents that connect to the node hub. Called off the event loop; may block;
 * must be thread-safe.
 */
public interface NodeAuthenticator {

    /**
     * @param hello what the agent sent in its HELLO frame, plus the address it connected from
     * @return the node's identity and effective location (a GeoIP database, when configured,
     *     overrides the self-reported geo), or a {@link NodeAdmission.Refused}
     */
    CompletionStage<NodeAdmission> admit(NodeHello hello);
}
