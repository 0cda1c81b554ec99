package io.iploop.server.nodes;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.spi.NodeDirectory;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The live view of the nodes connected to this process's gateway: the data plane attaches the
 * gateway's {@link NodeDirectory} once it runs and detaches it on shutdown; until then no node is
 * connected. Lets this feature read live state without depending on the data-plane package.
 * Thread-safe.
 */
@Component
public final class LiveNodes {

    private volatile @Nullable NodeDirectory directory;

    /** Called by the data plane once the gateway runs. */
    public void attach(NodeDirectory directory) {
        this.directory = directory;
    }

    /** Called by the data plane when the gateway stops. */
    public void detach() {
        this.directory = null;
    }

    /** True while a running gateway is attached. */
    public boolean attached() {
        return directory != null;
    }

    /** Nodes connected now; empty while no gateway runs. */
    public List<ConnectedNode> connected() {
        NodeDirectory d = directory;
        return d == null ? List.of() : d.connectedNodes();
    }
}
