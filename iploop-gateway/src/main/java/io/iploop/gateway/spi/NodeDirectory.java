package io.iploop.gateway.spi;

import java.util.List;

/** Live view of the nodes connected to this gateway. Thread-safe. */
public interface NodeDirectory {

    /** The connected nodes now, in no particular order. */
    List<ConnectedNode> connectedNodes();
}
