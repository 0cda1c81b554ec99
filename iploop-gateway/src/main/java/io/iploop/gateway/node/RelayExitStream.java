package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * A customer stream carried over the relay link to the gateway that holds the exit node
 * (docs/deploy.md#cross-gateway-relay). Only names the exit: the node's counters and quality are
 * kept by the owning gateway, and the customer's usage is metered at this gateway's customer socket
 * as for any exit. Thread-safe as its delegate.
 */
final class RelayExitStream implements ExitStream {

    private final ByteStream delegate;
    private final ExitInfo exit;

    RelayExitStream(ByteStream delegate, ExitInfo exit) {
        this.delegate = delegate;
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
                handler.onData(RelayExitStream.this, data);
            }

            @Override
            public void onWritabilityChanged(ByteStream stream) {
                handler.onWritabilityChanged(RelayExitStream.this);
            }

            @Override
            public void onInputShutdown(ByteStream stream) {
                handler.onInputShutdown(RelayExitStream.this);
            }

            @Override
            public void onClosed(ByteStream stream, @Nullable String error) {
                handler.onClosed(RelayExitStream.this, error);
            }

            @Override
            public void onDataBurstEnd(ByteStream stream) {
                handler.onDataBurstEnd(RelayExitStream.this);
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
    public boolean signalsDataBurstEnd() {
        return delegate.signalsDataBurstEnd();
    }

    @Override
    public String toString() {
        return "RelayExitStream(" + exit.nodeId() + ", " + delegate + ")";
    }
}
