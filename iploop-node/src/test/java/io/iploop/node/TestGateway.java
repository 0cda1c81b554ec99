package io.iploop.node;

import io.iploop.tunnel.Hello;
import io.iploop.tunnel.TunnelLoopAffinity;
import io.iploop.tunnel.TunnelPipeline;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import io.iploop.tunnel.Welcome;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A minimal gateway side for agent tests: accepts WebSocket tunnels on a loopback port, welcomes
 * (or refuses) every HELLO and hands out the admitted sessions. Can stop and start again on the
 * same port to simulate a gateway restart. Thread-safe.
 */
public final class TestGateway implements AutoCloseable {

    private final EventLoopGroup group;
    /** Whether {@link #group} is this gateway's (shut down on close) or the test's. */
    private final boolean ownsGroup;
    private final @Nullable TunnelLoopAffinity affinity;
    private final BlockingQueue<TunnelSession> admitted = new LinkedBlockingQueue<>();
    private final List<Hello> hellos = new CopyOnWriteArrayList<>();
    private final List<Long> helloNanos = new CopyOnWriteArrayList<>();
    private final List<TunnelSession> closed = new CopyOnWriteArrayList<>();
    private final List<Channel> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger nodeIds = new AtomicInteger();
    private volatile @Nullable String refuseWith;
    private volatile @Nullable Channel server;
    private int port;

    /** Binds an ephemeral loopback port. */
    public TestGateway() throws InterruptedException {
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-gateway", true), NioIoHandler.newFactory());
        this.ownsGroup = true;
        this.affinity = null;
        start();
    }

    /**
     * Binds an ephemeral loopback port on {@code group} (not shut down on close), serving agents
     * that registered with {@code affinity} on their own loop, as the server's node hub does for its
     * local node.
     */
    TestGateway(EventLoopGroup group, TunnelLoopAffinity affinity) throws InterruptedException {
        this.group = group;
        this.ownsGroup = false;
        this.affinity = affinity;
        start();
    }

    synchronized void start() throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(placed(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        connections.add(c);
                        TunnelPipeline.server(c.pipeline(), TunnelSession.gatewaySide(TunnelSettings.DEFAULTS, listener()));
                    }
                }))
                .bind("127.0.0.1", port)
                .sync()
                .channel();
        port = ((InetSocketAddress) ch.localAddress()).getPort();
        server = ch;
    }

    private ChannelHandler placed(ChannelHandler initializer) {
        TunnelLoopAffinity a = affinity;
        return a == null ? initializer : a.placing(initializer);
    }

    /** The accepted tunnel connections, open or closed. */
    List<Channel> connections() {
        return connections;
    }

    /** Closes the listening socket and every tunnel, as a crashing gateway would. */
    synchronized void stop() throws InterruptedException {
        Channel s = server;
        if (s != null) {
            s.close().sync();
            server = null;
        }
        for (Channel c : connections) {
            c.close().sync();
        }
        connections.clear();
    }

    /** From now on, refuse every HELLO with {@code message} (null: welcome again). */
    void refuseWith(@Nullable String message) {
        refuseWith = message;
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + port + TunnelProtocol.WEBSOCKET_PATH);
    }

    /** The next admitted session, waiting up to {@code seconds}. */
    public TunnelSession nextSession(long seconds) throws InterruptedException {
        TunnelSession s = admitted.poll(seconds, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no agent was admitted within " + seconds + " s");
        }
        return s;
    }

    public List<Hello> hellos() {
        return hellos;
    }

    List<Long> helloNanos() {
        return helloNanos;
    }

    List<TunnelSession> closedSessions() {
        return closed;
    }

    private TunnelSession.GatewayListener listener() {
        return new TunnelSession.GatewayListener() {
            @Override
            public void onHello(TunnelSession session, Hello hello) {
                hellos.add(hello);
                helloNanos.add(System.nanoTime());
                String refusal = refuseWith;
                if (refusal != null) {
                    session.refuse(refusal);
                    return;
                }
                session.welcome(new Welcome(TunnelProtocol.VERSION, "node-" + nodeIds.incrementAndGet(), 30_000));
                admitted.add(session);
            }

            @Override
            public void onClosed(TunnelSession session) {
                closed.add(session);
            }
        };
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
