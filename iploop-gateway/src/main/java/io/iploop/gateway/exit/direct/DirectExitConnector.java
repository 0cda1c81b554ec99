package io.iploop.gateway.exit.direct;

import io.iploop.gateway.net.EventLoops;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.egress.EgressDeniedException;
import io.iploop.tunnel.egress.EgressPolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An exit that connects from the gateway host itself, only when the configuration enables it.
 * The destination is resolved off the event loop with {@link EgressPolicy#resolve}
 * and the checked address is the one connected to (no DNS-rebinding window:
 * docs/security.md#exits-the-data-plane).
 * Failures: {@link ExitException.Failure#FORBIDDEN_TARGET} for the policy,
 * {@link ExitException.Failure#DNS_NAME_NOT_FOUND} / {@link ExitException.Failure#DNS_SERVER_FAILURE}
 * for names that do not resolve, {@link ExitException.Failure#CONNECT_FAILED} for refused
 * connections, {@link ExitException.Failure#UNREACHABLE} without a route,
 * {@link ExitException.Failure#TIMEOUT} after the connect timeout. Thread-safe.
 */
public final class DirectExitConnector implements ExitConnector, AutoCloseable {

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final EgressPolicy policy;
    private final int connectTimeoutMillis;
    private final ExecutorService resolver =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("iploop-direct-resolve-", 0).factory());

    /**
     * @param group event loops for the target connections (not shut down by {@link #close()})
     * @param connectTimeout connect (not resolve) timeout
     */
    public DirectExitConnector(EventLoopGroup group, EgressPolicy policy, Duration connectTimeout) {
        this.group = group;
        this.channelClass = EventLoops.isEpoll(group)
                ? EpollSocketChannel.class : NioSocketChannel.class;
        this.policy = policy;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
    }

    @Override
    public CompletableFuture<ExitStream> open(ExitRequest request) {
        ExitInfo info = new ExitInfo(null, null, null, 0, request.targeting().session());
        return CompletableFuture.supplyAsync(() -> resolve(request.host(), request.port()), resolver)
                .thenCompose(address -> connect(address, request.host() + ":" + request.port(), info))
                .exceptionallyCompose(failure -> {
                    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    return CompletableFuture.failedFuture(t);
                });
    }

    private InetSocketAddress resolve(String host, int port) {
        try {
            return policy.resolve(host, port);
        } catch (EgressDeniedException e) {
            throw new ExitException(ExitException.Failure.FORBIDDEN_TARGET, e.getMessage());
        } catch (UnknownHostException e) {
            throw OpenFailure.ofUnknownHost(e) == OpenFailure.DNS_SERVER_FAILURE
                    ? new ExitException(ExitException.Failure.DNS_SERVER_FAILURE, "the DNS resolver failed for " + host)
                    : new ExitException(ExitException.Failure.DNS_NAME_NOT_FOUND, "unknown host " + host);
        } catch (RuntimeException e) {
            throw new ExitException(ExitException.Failure.CONNECT_FAILED, "cannot resolve " + host + ": " + e.getMessage());
        }
    }

    private CompletableFuture<ExitStream> connect(InetSocketAddress address, String target, ExitInfo info) {
        CompletableFuture<ExitStream> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("exit-stream", new ChannelExitStream(ch, info));
                    }
                });
        b.connect(address).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                result.complete((ChannelExitStream) f.channel().pipeline().get("exit-stream"));
            } else if (f.cause() instanceof ConnectTimeoutException) {
                // Texts name what the customer asked for, not the address it resolved to.
                result.completeExceptionally(new ExitException(ExitException.Failure.TIMEOUT,
                        "connecting to " + target + " timed out after " + connectTimeoutMillis + " ms"));
            } else if (f.cause() instanceof NoRouteToHostException) {
                result.completeExceptionally(new ExitException(ExitException.Failure.UNREACHABLE, "no route to " + target));
            } else {
                result.completeExceptionally(new ExitException(ExitException.Failure.CONNECT_FAILED,
                        "connecting to " + target + " failed: " + (f.cause() instanceof ConnectException
                                ? "connection refused" : f.cause().getClass().getSimpleName())));
            }
        });
        return result;
    }

    /** Stops the resolver threads; the event loop group belongs to the caller. */
    @Override
    public void close() {
        resolver.shutdownNow();
    }
}
