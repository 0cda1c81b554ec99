package io.iploop.gateway.socks;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.proxy.MeteredStream;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.proxy.ProxyTunnels;
import io.iploop.gateway.proxy.TargetHosts;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 1928 §4 request handling: CONNECT to an IPv4, IPv6 or domain destination (passed to the
 * exit as sent, never resolved here); BIND and UDP ASSOCIATE get {@code 0x07} (command not
 * supported); a malformed destination (a domain that is not a host name, port 0) gets
 * {@code 0x01}, an undecodable one {@code 0x08} (address type) or {@code 0x01}. Exit failures get the {@link ProxyError}'s RFC 1928 §6 reply code. On success the
 * reply carries {@code 0.0.0.0:0} as bound address, the SOCKS handlers are removed and bytes are
 * relayed with {@link io.iploop.tunnel.ByteStreamRelay}.
 *
 * <p>Pipeline position: last; removes itself. Not {@code @Sharable}.
 */
final class Socks5ServerConnectHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Socks5ServerConnectHandler.class);

    private final ProxyServices services;
    private final ProxyConnection connection;
    private final @Nullable ProxyError refusal;
    private final String refusalDetail;
    private final List<ByteBuf> early = new ArrayList<>(2);
    private boolean started;

    /**
     * @param refusal an error found at authentication (known customer), answered on CONNECT
     */
    Socks5ServerConnectHandler(
            ProxyServices services, ProxyConnection connection, @Nullable ProxyError refusal, String refusalDetail) {
        this.services = services;
        this.connection = connection;
        this.refusal = refusal;
        this.refusalDetail = refusalDetail;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (started) {
            if (msg instanceof ByteBuf buf) {
                early.add(buf); // sent before the reply; relayed first
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof Socks5CommandRequest bad && bad.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            started = true;
            // RFC 1928 §6: an address type we cannot decode gets 0x08, other malformed requests 0x01.
            Throwable cause = bad.decoderResult().cause();
            boolean addressType = cause != null && String.valueOf(cause.getMessage()).startsWith("unsupported address type");
            services.metrics().error(ProxyError.BAD_REQUEST);
            ctx.writeAndFlush(new DefaultSocks5CommandResponse(
                            addressType ? Socks5CommandStatus.ADDRESS_UNSUPPORTED : Socks5CommandStatus.FAILURE,
                            Socks5AddressType.IPv4, "0.0.0.0", 0))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!(msg instanceof Socks5CommandRequest request)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        started = true;
        if (request.type() != Socks5CommandType.CONNECT) {
            reply(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED, true);
            return;
        }
        CustomerPrincipal principal = connection.principal();
        if (principal == null) {
            ctx.close();
            return;
        }
        String problem = targetProblem(request);
        if (problem != null) {
            // The host never reaches a usage record: it may hold control bytes.
            log.debug("SOCKS5 CONNECT to an invalid target refused: {}", problem);
            fail(ctx, ProxyError.INVALID_TARGET, MeteredStream.startingNow(connection, ""));
            return;
        }
        String host = request.dstAddr();
        MeteredStream metered = MeteredStream.startingNow(connection, host, request.dstPort());
        if (refusal != null) {
            log.debug("SOCKS5 CONNECT refused: {}", refusalDetail);
            fail(ctx, refusal, metered);
            return;
        }
        // The client's part of the handshake is done; the exit connector times out the rest.
        if (ctx.pipeline().get(Socks5ProxyServerInitializer.TIMEOUT) != null) {
            ctx.pipeline().remove(Socks5ProxyServerInitializer.TIMEOUT);
        }
        ProxyTunnels.openExit(services, ctx,
                new ExitRequest(principal, metered.targeting(), host, request.dstPort(), connection.id()),
                (stream, failure) -> onOpened(ctx, metered, stream, failure));
    }

    /**
     * What is wrong with the request's destination, or null: a domain must be a host name
     * ({@link TargetHosts#hostNameProblem}), the port 1-65535 (RFC 1928 §4).
     */
    static @Nullable String targetProblem(Socks5CommandRequest request) {
        if (request.dstPort() < 1) {
            return "port " + request.dstPort() + " (expected: 1-65535)";
        }
        if (Socks5AddressType.DOMAIN.equals(request.dstAddrType())) {
            return TargetHosts.hostNameProblem(request.dstAddr());
        }
        return null;
    }

    private void onOpened(ChannelHandlerContext ctx, MeteredStream metered, @Nullable ExitStream stream,
            @Nullable Throwable failure) {
        if (stream == null) {
            if (ProxyTunnels.exitException(failure) == null) {
                log.warn("exit connector failed unexpectedly", failure);
            }
            fail(ctx, ProxyTunnels.errorOf(failure), metered);
            return;
        }
        ProxyTunnels.established(services, ctx, this, metered, stream,
                new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4, "0.0.0.0", 0),
                List.of(Socks5ProxyServerInitializer.DECODER, Socks5ProxyServerInitializer.ENCODER,
                        Socks5ProxyServerInitializer.TIMEOUT), early);
    }

    private void fail(ChannelHandlerContext ctx, ProxyError error, MeteredStream metered) {
        ProxyTunnels.refuse(services, ctx, metered, error,
                new DefaultSocks5CommandResponse(error.socksReply(), Socks5AddressType.IPv4, "0.0.0.0", 0));
    }

    private static void reply(ChannelHandlerContext ctx, Socks5CommandStatus status, boolean close) {
        var future = ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0));
        if (close) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (ByteBuf b : early) {
            b.release();
        }
        early.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("SOCKS5 request failed: {}", cause.toString());
        ctx.close();
    }
}
