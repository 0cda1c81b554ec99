package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * A tunnel stream through one node, counting the bytes it carries into the node's counters
 * (docs/product/nodes.md#node-record). Customer billing is metered separately at the customer socket.
 * Thread-safe as its delegate.
 */
final class NodeExitStream implements ExitStream {

    private final ByteStream delegate;
    private final NodeEntry node;
    private final ExitInfo exit;

    NodeExitStream(ByteStream delegate, NodeEntry node, ExitInfo exit) {
        this.delegate = delegate;
        this.node = node;
        this.exit = exit;
    }

    @Override
    public ExitInfo exit() {
        return exit;
    }

    @Override
    public EventExecutor executor() {
        return delegate.executor();
    }

    @Override
    public boolean isWritable() {
        return delegate.isWritable();
    }

    @Override
    public void write(ByteBuf data) {
        node.bytesTotal.addAndGet(data.readableBytes());
        delegate.write(data);
    }

    @Override
    public void ack(int bytes) {
        delegate.ack(bytes);
    }

    @Override
    public void setHandler(Handler handler) {
        delegate.setHandler(new Handler() {
            @Override
            public void onData(ByteStream stream, ByteBuf data) {
                node.bytesTotal.addAndGet(data.readableBytes());
                handler.onData(NodeExitStream.this, data);
            }

            @Override
            public void onWritabilityChanged(ByteStream stream) {
                handler.onWritabilityChanged(NodeExitStream.this);
            }

            @Override
            public void onInputShutdown(ByteStream stream) {
                handler.onInputShutdown(NodeExitStream.this);
            }

            @Override
            public void onClosed(ByteStream stream, @Nullable String error) {
                handler.onClosed(NodeExitStream.this, error);
            }
        });
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void shutdownOutput() {
        delegate.shutdownOutput();
    }

    @Override
    public void abort(String reason) {
        delegate.abort(reason);
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public String toString() {
        return "NodeExitStream(" + exit.nodeId() + ", " + delegate + ")";
    }
}
