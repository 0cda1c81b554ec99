package io.iploop.gateway.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.local.LocalIoHandle;
import io.netty.channel.local.LocalIoHandler;

/**
 * The gateway's event-loop transports: epoll sockets, and on the same loops Netty's in-process
 * {@code LocalChannel}s, which carry the local node's tunnel connection without a loopback socket
 * (docs/protocol.md#in-process-transport, iploop-bench/PROFILE.md round 8).
 *
 * <p>Netty 4.2's epoll handler registers only epoll handles, and its local handler does no I/O at
 * all: a local channel moves its messages with tasks on its event loop, and {@link LocalIoHandler}
 * only tracks its channels (closing them when the loop is destroyed) and parks the thread when it
 * runs. {@link #epollWithLocalChannels()} therefore runs epoll and hands each registration to the
 * handler that accepts its kind of handle. Thread-safe (stateless).
 */
public final class EventLoops {

    private EventLoops() {
    }

    /**
     * A factory of handlers that run epoll and also register {@link LocalIoHandle}s. Requires
     * native epoll ({@code Epoll.isAvailable()}).
     */
    public static IoHandlerFactory epollWithLocalChannels() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        IoHandlerFactory local = LocalIoHandler.newFactory();
        return executor -> new EpollWithLocal(epoll.newHandler(executor), local.newHandler(executor));
    }

    /** Whether {@code group}'s loops register epoll channels (plain epoll or {@link #epollWithLocalChannels()}). */
    public static boolean isEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup g && g.isCompatible(EpollIoHandle.class);
    }

    /** Whether {@code group}'s loops also register in-process {@code LocalChannel}s. */
    public static boolean hostsLocalChannels(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup g && g.isCompatible(LocalIoHandle.class);
    }

    /** Epoll's loop; local handles go to a local handler that is never run (it has nothing to poll). */
    private static final class EpollWithLocal implements IoHandler {
        private final IoHandler epoll;
        private final IoHandler local;

        EpollWithLocal(IoHandler epoll, IoHandler local) {
            this.epoll = epoll;
            this.local = local;
        }

        @Override
        public void initialize() {
            epoll.initialize();
            local.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return epoll.run(context);
        }

        @Override
        public void prepareToDestroy() {
            local.prepareToDestroy();
            epoll.prepareToDestroy();
        }

        @Override
        public void destroy() {
            local.destroy();
            epoll.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return handle instanceof LocalIoHandle ? local.register(handle) : epoll.register(handle);
        }

        @Override
        public void wakeup() {
            epoll.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return epoll.isCompatible(handleType) || local.isCompatible(handleType);
        }
    }
}
