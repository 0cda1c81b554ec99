package io.iploop.gateway.http;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.error.ProxyErrorResponses;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.proxy.MeteredStream;
import io.iploop.gateway.proxy.ProxyAuthentication;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks every proxy request head: decodable, absolute-form or CONNECT (else 400), and
 * {@code Proxy-Authorization: Basic} credentials, or without any {@code Proxy-Authorization} a
 * client address an account authorised for access without credentials (with the
 * {@code X-IPLoop-Targeting} override, docs/ip-authorised-access.md) (else 407), accepted by the cached
 * authenticator (else 407, 403 or 402, docs/product/proxy.md#error-responses) and admitted by the
 * account's plan limits
 * (else 402, 403 or 429 with {@code Retry-After}). Accepted requests and their bodies go on to
 * {@link HttpProxyServerForwardHandler}; a refusal is answered with the {@link ProxyError}'s
 * response and the connection closes.
 *
 * <p>Pipeline position: after {@link HttpProxyServerFlowHandler} (so it sees one message per read),
 * before the forward handler; removed by {@link HttpProxyServerConnectHandler} when a CONNECT
 * tunnel starts. Not {@code @Sharable}.
 */
final class HttpProxyServerAuthHandler extends ChannelInboundHandlerAdapter {

    /** Longest accepted {@code Proxy-Authorization} value, in characters. */
    static final int MAX_AUTHORIZATION_CHARS = 2048;

    private final ProxyServices services;
    private final ProxyConnection connection;
    /** Whether the body of the current request goes on (its head was accepted). */
    private boolean passBody;
    private boolean refused;

    public HttpProxyServerAuthHandler(ProxyServices services, ProxyConnection connection) {
        this.services = services;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            passBody = false;
            onRequest(ctx, request);
        } else if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                refuse(ctx, ProxyError.BAD_REQUEST, "malformed request body", null);
            } else if (passBody) {
                ctx.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request); // the decoder's stand-in FullHttpRequest
            Throwable cause = request.decoderResult().cause();
            refuse(ctx, ProxyError.BAD_REQUEST, "malformed request: " + (cause == null ? "?" : cause.getMessage()), null);
            return;
        }
        HttpProxyTarget target;
        try {
            target = HttpProxyTarget.of(request);
        } catch (HttpProxyTarget.InvalidTargetException e) {
            refuse(ctx, ProxyError.INVALID_TARGET, e.getMessage(), null);
            return;
        } catch (IllegalArgumentException e) {
            refuse(ctx, ProxyError.BAD_REQUEST, e.getMessage(), null);
            return;
        }
        String authorization = request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
        if (authorization == null) {
            // No credentials at all: IP-authorised access, if the client's address has it.
            ProxyAuthentication.authenticateAddress(services, connection.clientAddress(),
                            request.headers().get(HttpProxyHeaders.TARGETING))
                    .whenComplete((outcome, failure) -> onOutcomeOnLoop(ctx, request, target, outcome));
            return;
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            refuse(ctx, ProxyError.MISSING_CREDENTIALS,
                    "proxy credentials required (expected: Proxy-Authorization: Basic with CUSTOMER_ID:API_KEY)", null);
            return;
        }
        String userPass = decodeBasic(authorization);
        int colon = userPass == null ? -1 : userPass.indexOf(':');
        if (userPass == null || colon < 0) {
            refuse(ctx, ProxyError.BAD_CREDENTIALS, "malformed Basic credentials (expected: base64 of CUSTOMER_ID:API_KEY)", null);
            return;
        }
        ProxyAuthentication.authenticate(services, userPass.substring(0, colon), userPass.substring(colon + 1),
                        connection.clientAddress())
                .whenComplete((outcome, failure) -> onOutcomeOnLoop(ctx, request, target, outcome));
    }

    private void onOutcomeOnLoop(
            ChannelHandlerContext ctx, HttpRequest request, HttpProxyTarget target, ProxyAuthentication.Outcome outcome) {
        if (ctx.executor().inEventLoop()) {
            onOutcome(ctx, request, target, outcome);
        } else {
            ctx.executor().execute(() -> onOutcome(ctx, request, target, outcome));
        }
    }

    private void onOutcome(
            ChannelHandlerContext ctx, HttpRequest request, HttpProxyTarget target, ProxyAuthentication.Outcome outcome) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ProxyError error = outcome.error();
        if (error != null) {
            refuse(ctx, error, outcome.detail(), outcome.principal(), target.host(), target.port(), null);
            return;
        }
        CustomerPrincipal principal = outcome.principal();
        AccountLimiter limiter = outcome.limiter();
        assert principal != null && limiter != null;
        connection.authenticated(principal, outcome.targeting(), outcome.apiKeySha256Hex());
        Refusal refusal = ProxyAuthentication.admit(services, ctx.channel(), connection, limiter, outcome.subLimiter(),
                outcome.targeting());
        if (refusal != null) {
            refuse(ctx, refusal.error(), refusal.detail(), principal, target.host(), target.port(), refusal.retryAfter());
            return;
        }
        passBody = true;
        ctx.fireChannelRead(request);
    }

    private static @Nullable String decodeBasic(String authorization) {
        if (authorization.length() > MAX_AUTHORIZATION_CHARS) {
            return null;
        }
        String b64 = authorization.substring(6).strip();
        for (int i = 0; i < b64.length(); i++) {
            char c = b64.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return null;
            }
        }
        try {
            // The JDK's decoder straight from the String: no buffers to allocate and release on
            // every request (this runs per request, cache hit or not).
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void refuse(ChannelHandlerContext ctx, ProxyError error, String detail, @Nullable CustomerPrincipal principal) {
        refuse(ctx, error, detail, principal, "", null, null);
    }

    private void refuse(ChannelHandlerContext ctx, ProxyError error, String detail, @Nullable CustomerPrincipal principal,
            String host, @Nullable Integer port, @Nullable Duration retryAfter) {
        if (refused) {
            return;
        }
        refused = true;
        passBody = false;
        services.metrics().error(error);
        Instant started = Instant.now();
        ctx.writeAndFlush(ProxyErrorResponses.http(ctx.alloc(), error, detail, List.of(), retryAfter))
                .addListener((ChannelFutureListener) f -> {
                    if (principal != null) {
                        services.recordUsage(new MeteredStream(connection, principal, connection.targeting(), host, started, port),
                                null, error);
                    }
                    f.channel().close();
                });
    }

}
