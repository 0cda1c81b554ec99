package io.iploop.gateway.http;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.error.ProxyErrorResponses;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.metering.GatewayMetrics;
import io.iploop.gateway.proxy.ExitLoopAffinity;
import io.iploop.gateway.proxy.InterimUsage;
import io.iploop.gateway.proxy.MeteredStream;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServerHalfCloseHandler;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.proxy.ProxyTunnels;
import io.iploop.gateway.routing.HeaderProfile;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards absolute-form requests through exits. One {@link ExitStream} per customer connection
 * and destination ({@code host:port}), reused across keep-alive requests unless the targeting
 * asks for an exit per request ({@code sesstype-per-request}, {@code rotate-request}) or the
 * origin closes. Requests are encoded with an {@link HttpClientCodec} in an
 * {@link EmbeddedChannel} and streamed (never aggregated); response bytes from the exit are
 * decoded by the same codec and written to the customer, and acknowledged to the stream only once
 * the customer write completed, which is the back-pressure. The customer is read only while the
 * stream is writable. One exchange at a time: a pipelined request is read after the previous
 * response was written.
 *
 * <p>{@code rotate-on-block} (docs/rotate-on-block.md): a small request's copy is kept
 * ({@link RotateOnBlock}); when the first exit's response is a block (403, 429, 503 or a known
 * block page), the first exit is parked (its further bytes are kept unread and unacknowledged, so
 * the stream's flow-control window bounds them) while a stream through another node opens; then
 * the first response is discarded whole, metered, and the request replayed once through the new
 * exit. If no other node can be opened the parked response is delivered as it came.
 *
 * <p>Exit reuse (docs/exit-reuse.md): when an exchange ends with the origin keeping the
 * connection, the stream is offered to the idle set ({@link ExitStream#parkForReuse()}) instead of
 * being closed, and an idempotent request without a body may be served by such a stream of the same
 * customer, targeting and destination on the node selected for it. If a reused stream ends before
 * any byte of the answer (the origin closed it while idle), the request goes again on a new stream,
 * as Squid retries on a stale persistent connection.
 *
 * <p>Pipeline position: after {@link HttpProxyServerAuthHandler}; passes {@code CONNECT} on to
 * {@link HttpProxyServerConnectHandler}, which removes it. Not {@code @Sharable}; all state is
 * confined to the customer channel's event loop.
 */
final class HttpProxyServerForwardHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpProxyServerForwardHandler.class);

    private final ProxyServices services;
    private final ProxyConnection connection;
    private @Nullable ChannelHandlerContext ctx;
    private boolean connectMode;
    private @Nullable Binding binding;
    private @Nullable Exchange exchange;
    private boolean readWhenWritable;
    private boolean firstBindingOpened;
    /** The first exit of a blocked exchange while the retry's stream opens; its data is kept raw. */
    private @Nullable Binding parked;
    private final List<ByteBuf> parkedData = new ArrayList<>();
    private long parkedBytes;
    private boolean parkedClosed;
    private @Nullable String parkedError;
    /** The retry's binding while its stream opens, else null. */
    private @Nullable Binding retry;

    public HttpProxyServerForwardHandler(ProxyServices services, ProxyConnection connection) {
        this.services = services;
        this.connection = connection;
    }

    /** One request and its response. */
    private static final class Exchange {
        final HttpMethod method;
        final HttpVersion version;
        final boolean customerKeepAlive;
        boolean requestDone;
        boolean responseStarted;
        boolean responseDone;
        boolean responseWritten;
        boolean interim;
        boolean closeCustomer;
        /** The {@code rotate-on-block} state while the exchange may still be retried, else null. */
        @Nullable RotateOnBlock rotation;
        /** Whether the response comes from a second exit after a block. */
        boolean rotated;

        Exchange(HttpMethod method, HttpVersion version, boolean customerKeepAlive) {
            this.method = method;
            this.version = version;
            this.customerKeepAlive = customerKeepAlive;
        }
    }

    /** One exit stream to one destination, with its HTTP/1.1 client codec. */
    private final class Binding implements ByteStream.Handler {
        final String key;
        final String host;
        final HttpProxyTarget target;
        final int port;
        final CustomerPrincipal principal;
        final Targeting targeting;
        final Instant startedAt = Instant.now();
        final EmbeddedChannel codec = new EmbeddedChannel(new HttpClientCodec(
                new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(32768).setMaxChunkSize(65536),
                false, false));
        final ArrayDeque<HttpObject> pending = new ArrayDeque<>();
        @Nullable ExitStream stream;
        /** Interim usage records while the stream is open; null before it opened. */
        InterimUsage.@Nullable Stream interim;
        int requests;
        /** The origin's status of the last final response on this stream, or null before the first. */
        @Nullable Integer lastStatus;
        boolean reusable = true;
        boolean finished;
        /** Whether the bytes sent are a {@code rotate-on-block} replay, counted in {@link #replayBytes}. */
        boolean replaying;
        /** Encoded request bytes replayed to this stream (metered off the customer socket). */
        long replayBytes;
        /**
         * The first request's head while it may still be sent again on a new stream because the
         * stream was reused and turned out stale; null when it may not (not idempotent, a body).
         */
        @Nullable HttpRequest staleRetryHead;
        /** Whether any byte came back on this stream. */
        boolean responseSeen;
        /**
         * Whether the customer asked to close its connection after the last exchange (Connection:
         * close, HTTP/1.0): only then is the stream kept for the customer's next connection. A
         * customer that keeps its connection keeps its exit with it, and a new connection of theirs
         * is a new visitor (docs/exit-reuse.md).
         */
        boolean customerClosesEach;

        MeteredStream metered() {
            return new MeteredStream(connection, principal, targeting, host, startedAt, port);
        }

        Binding(HttpProxyTarget target, CustomerPrincipal principal, Targeting targeting) {
            this.key = target.key();
            this.host = target.host();
            this.target = target;
            this.port = target.port();
            this.principal = principal;
            this.targeting = targeting;
        }

        void send(HttpObject msg) {
            ExitStream s = stream;
            if (s == null) {
                pending.add(msg);
                return;
            }
            codec.writeOutbound(msg);
            for (Object out; (out = codec.readOutbound()) != null; ) {
                ByteBuf buf = (ByteBuf) out;
                if (replaying) {
                    replayBytes += buf.readableBytes();
                }
                s.write(buf);
            }
        }

        void flushPending() {
            for (HttpObject msg; (msg = pending.poll()) != null; ) {
                send(msg);
            }
        }

        @Override
        public void onData(ByteStream s, ByteBuf data) {
            onLoop(() -> onExitData(this, data), () -> {
                data.release();
                s.abort("customer connection closed");
            });
        }

        @Override
        public void onWritabilityChanged(ByteStream s) {
            onLoop(() -> {
                if (this == binding && readWhenWritable && s.isWritable()) {
                    readWhenWritable = false;
                    readIfWanted();
                }
            }, () -> {});
        }

        @Override
        public void onClosed(ByteStream s, @Nullable String error) {
            onLoop(() -> onExitClosed(this, error), () -> {});
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connectMode) {
            ctx.fireChannelRead(msg);
        } else if (msg instanceof HttpRequest request) {
            if (HttpMethod.CONNECT.equals(request.method())) {
                connectMode = true;
                if (ctx.pipeline().get(HttpProxyServerInitializer.IDLE) != null) {
                    ctx.pipeline().remove(HttpProxyServerInitializer.IDLE);
                }
                ctx.fireChannelRead(msg);
            } else {
                onRequest(ctx, request);
            }
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        CustomerPrincipal principal = connection.principal();
        if (principal == null || exchange != null) {
            ReferenceCountUtil.release(request);
            ctx.close();
            return;
        }
        Targeting targeting = connection.targeting();
        HttpProxyTarget target = HttpProxyTarget.of(request);
        boolean resendable = isResendable(request) && reusableFor(targeting);
        Exchange ex = new Exchange(request.method(), request.protocolVersion(), HttpUtil.isKeepAlive(request));
        exchange = ex;
        HttpProxyHeaders.stripHopByHop(request.headers());
        request.setUri(target.originForm());
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, target.authority());
        }
        HeaderProfile.apply(targeting.profile(), request.headers()); // docs/header-profiles.md
        if (targeting.rotate() == Targeting.RotateMode.ON_BLOCK) {
            ex.rotation = RotateOnBlock.forRequest(request); // docs/rotate-on-block.md
        }
        Binding b = binding;
        if (b != null && (b.finished || !b.reusable || !b.key.equals(target.key()) || targeting.exitPerRequest()
                || !b.principal.equals(principal) || !b.targeting.equals(targeting))) {
            finishBinding(b, null, true);
            b = null;
        }
        if (b == null) {
            Binding nb = new Binding(target, principal, targeting);
            binding = nb;
            b = nb;
            if (resendable) {
                nb.staleRetryHead = request;
            }
            ProxyTunnels.openExit(services, ctx, new ExitRequest(principal, targeting, target.host(), target.port(),
                    connection.id(), null, resendable), (stream, failure) -> onOpened(nb, stream, failure));
        }
        b.requests++;
        b.send(request);
        readIfWanted();
    }

    /**
     * Whether {@code request} may go to a reused exit stream: it can be sent again unchanged if that
     * stream is stale, so idempotent (RFC 9110 §9.2.2) and without a body. Judged before the
     * hop-by-hop headers are removed.
     */
    private static boolean isResendable(HttpRequest request) {
        HttpMethod m = request.method();
        boolean idempotent = HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.OPTIONS.equals(m)
                || HttpMethod.TRACE.equals(m) || HttpMethod.PUT.equals(m) || HttpMethod.DELETE.equals(m);
        return idempotent && !(request instanceof ReferenceCounted) && !HttpUtil.isTransferEncodingChunked(request)
                && HttpUtil.getContentLength(request, 0L) == 0L;
    }

    /** Whether streams of this targeting are kept for reuse: not when it asks for a new exit per request or rotates on blocks. */
    private static boolean reusableFor(Targeting targeting) {
        return !targeting.exitPerRequest() && targeting.rotate() != Targeting.RotateMode.ON_BLOCK;
    }

    private void onOpened(Binding b, @Nullable ExitStream stream, @Nullable Throwable failure) {
        if (failure != null || stream == null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            ProxyError error;
            String detail;
            List<String> alternatives = List.of();
            if (cause instanceof ExitException ee) {
                error = ProxyError.of(ee.failure());
                detail = ee.getMessage() == null ? error.code() : ee.getMessage();
                alternatives = ee.alternatives();
            } else {
                error = ProxyError.INTERNAL_ERROR;
                detail = "the exit could not be opened";
                log.warn("exit connector failed unexpectedly", cause);
            }
            failExchange(b, error, detail, alternatives);
            return;
        }
        ChannelHandlerContext c = ctx;
        if (b.finished || c == null || !c.channel().isActive()) {
            stream.close();
            return;
        }
        if (!firstBindingOpened) {
            // Only before the connection's first stream (no earlier stream's callbacks can still be
            // queued for the loop it leaves), and only for a customer that keeps the connection
            // alive: one exchange and a close do not repay a deregistration and a registration.
            firstBindingOpened = true;
            Exchange ex = exchange;
            if (ex != null && ex.customerKeepAlive) {
                moveToStreamLoop(c, b, stream);
                return;
            }
        }
        started(b, stream);
    }

    /**
     * Moves the customer channel onto the stream's event loop ({@link ExitLoopAffinity}), so the
     * request, the response and every later exchange on this stream run on one thread. The idle
     * timer is re-created on the new loop (a timer stays on the loop it was scheduled on).
     */
    private void moveToStreamLoop(ChannelHandlerContext c, Binding b, ExitStream stream) {
        ChannelPipeline p = c.pipeline();
        boolean idle = p.get(HttpProxyServerInitializer.IDLE) != null;
        if (idle) {
            p.remove(HttpProxyServerInitializer.IDLE);
        }
        ExitLoopAffinity.moveToStreamLoop(c.channel(), stream, () -> {
            if (idle && !connectMode && p.get(HttpProxyServerInitializer.IDLE) == null) {
                p.addAfter(ProxyServerHalfCloseHandler.NAME, HttpProxyServerInitializer.IDLE,
                        HttpProxyServerInitializer.idleHandler(services));
            }
            if (b.finished || !c.channel().isActive()) {
                stream.close();
                return;
            }
            started(b, stream);
        }, cause -> stream.close());
    }

    /** The binding's stream is open and the customer channel on its final loop: send what waits. */
    private void started(Binding b, ExitStream stream) {
        ChannelHandlerContext c = ctx;
        if (b.finished || c == null || !c.channel().isActive()) {
            stream.close();
            return;
        }
        if (stream.reused()) {
            stream.setHandler(b);
            if (!stream.isOpen() && b.staleRetryHead != null && exchange != null) {
                resendOnNewStream(b, exchange); // ended while idle, nothing sent yet
                return;
            }
            services.metrics().exitReused();
        }
        b.stream = stream;
        services.metrics().streamOpened();
        b.interim = services.interim().begin(services, c.channel(), b.metered(), stream::exit);
        if (!stream.reused()) {
            stream.setHandler(b);
        }
        try {
            b.flushPending();
        } catch (RuntimeException e) {
            failExchange(b, ProxyError.BAD_REQUEST, "request could not be encoded: " + e.getMessage(), List.of());
            return;
        }
        if (b.replaying) {
            b.replaying = false;
            if (!connection.meterOffSocket(b.replayBytes, 0)) {
                cutForBudget(c);
                return;
            }
        }
        readIfWanted();
    }

    private void onContent(HttpContent content) {
        Exchange ex = exchange;
        Binding b = binding;
        if (ex == null || b == null || ex.requestDone) {
            content.release();
            return;
        }
        RotateOnBlock rot = ex.rotation;
        if (rot != null && !rot.addBody(content)) {
            ex.rotation = null; // over RotateOnBlock.MAX_REPLAY_BODY: answered as it comes
        }
        try {
            b.send(content);
        } catch (RuntimeException e) {
            failExchange(b, ProxyError.BAD_REQUEST, "request could not be encoded: " + e.getMessage(), List.of());
            return;
        }
        if (content instanceof LastHttpContent) {
            ex.requestDone = true;
            if (ex.responseWritten) {
                completeExchange(ex);
            }
        } else {
            readIfWanted();
        }
    }

    /** Reads the customer if the current request still has a body to send and the exit can take it. */
    private void readIfWanted() {
        Exchange ex = exchange;
        Binding b = binding;
        ChannelHandlerContext c = ctx;
        if (c == null || ex == null || ex.requestDone || b == null) {
            return;
        }
        ExitStream s = b.stream;
        if (s == null) {
            return;
        }
        if (s.isWritable()) {
            requestRead(c);
        } else {
            readWhenWritable = true;
        }
    }

    /**
     * Asks for the next customer message, also from inside {@code channelRead}: Netty 4.2's epoll
     * sockets are level-triggered, so the read interest stays set and nothing is lost (a task per read
     * cost two {@code epoll_ctl} calls, iploop-bench/PROFILE.md round 8). From another thread Netty
     * runs it on the channel's loop.
     */
    private static void requestRead(ChannelHandlerContext c) {
        c.read();
    }

    private void onExitData(Binding b, ByteBuf data) {
        int n = data.readableBytes();
        if (b == parked) {
            // Not acknowledged: the stream's window bounds what the parked exit can still send.
            parkedData.add(data);
            parkedBytes += n;
            return;
        }
        ExitStream s = b.stream;
        b.responseSeen = true;
        if (b != binding || b.finished || s == null || ctx == null) {
            data.release();
            if (s != null) {
                s.ack(n);
            }
            return;
        }
        Exchange current = exchange;
        RotateOnBlock judged = current == null || b != binding ? null : current.rotation;
        if (judged != null) {
            judged.received(n); // counted before decoding: metered if the response is discarded
        }
        ChannelFuture last = null;
        try {
            b.codec.writeInbound(data);
            for (Object o; (o = b.codec.readInbound()) != null; ) {
                ChannelFuture f = onResponseObject(b, (HttpObject) o);
                if (f != null) {
                    last = f;
                }
            }
        } catch (RuntimeException e) {
            failExchange(b, ProxyError.BAD_RESPONSE, "invalid response from the target", List.of());
            return;
        }
        if (last == null) {
            s.ack(n);
        } else {
            ctx.flush();
            last.addListener(f -> {
                if (f.isSuccess()) {
                    s.ack(n);
                }
            });
        }
    }

    private @Nullable ChannelFuture onResponseObject(Binding b, HttpObject obj) {
        ChannelHandlerContext c = ctx;
        Exchange ex = exchange;
        if (c == null || ex == null || ex.responseDone || b.finished) {
            ReferenceCountUtil.release(obj);
            if (!b.finished) {
                finishBinding(b, null, false); // unsolicited bytes from the exit
            }
            return null;
        }
        if (obj.decoderResult().isFailure()) {
            ReferenceCountUtil.release(obj);
            failExchange(b, ProxyError.BAD_RESPONSE, "invalid response from the target", List.of());
            return null;
        }
        RotateOnBlock rot = ex.rotation;
        if (rot == null) {
            return deliver(b, ex, obj);
        }
        if (b == parked) {
            rot.hold(obj); // after the verdict, in the same decoded chunk
            return null;
        }
        RotateOnBlock.Verdict verdict;
        boolean held = true;
        if (rot.status() == 0) {
            if (!(obj instanceof HttpResponse response) || response.status().code() < 200) {
                rot.forgetReceived(); // delivered, so metered at the socket
                return deliver(b, ex, obj); // an interim response is passed on, not judged
            }
            ExitStream s = b.stream;
            if (!ex.requestDone || s == null || s.exit().nodeId() == null) {
                // The body is still coming (it cannot be replayed whole) or the exit is not a node.
                rot.release();
                ex.rotation = null;
                return deliver(b, ex, obj);
            }
            verdict = rot.onHead(response, ex.method);
            held = verdict != RotateOnBlock.Verdict.PASS;
        } else {
            verdict = rot.onContent((HttpContent) obj);
        }
        return switch (verdict) {
            case UNDECIDED -> null;
            case BLOCKED -> {
                rotate(b, ex, rot);
                yield null;
            }
            case PASS -> {
                ex.rotation = null;
                List<HttpObject> pass = rot.takeHeld();
                rot.release();
                ChannelFuture f = null;
                for (HttpObject o : pass) {
                    ChannelFuture w = deliver(b, ex, o);
                    f = w == null ? f : w;
                }
                if (!held) {
                    ChannelFuture w = deliver(b, ex, obj);
                    f = w == null ? f : w;
                }
                yield f;
            }
        };
    }

    /**
     * The first exit answered a block: parks it and opens a stream through another node, excluding
     * this one (docs/rotate-on-block.md#retry).
     */
    private void rotate(Binding first, Exchange ex, RotateOnBlock rot) {
        ChannelHandlerContext c = ctx;
        ExitStream s = first.stream;
        if (c == null || s == null) {
            return;
        }
        parked = first;
        parkedClosed = false;
        parkedError = null;
        Binding next = new Binding(first.target, first.principal, first.targeting);
        next.replaying = true;
        next.requests = 1;
        next.pending.addAll(rot.takeReplay());
        retry = next;
        UUID excluded = s.exit().nodeId();
        ProxyTunnels.openExit(services, c, new ExitRequest(first.principal, first.targeting, first.target.host(),
                first.target.port(), connection.id(), excluded),
                (stream, failure) -> onRetryOpened(next, first, ex, excluded, stream, failure));
    }

    private void onRetryOpened(Binding next, Binding first, Exchange ex, @Nullable UUID excluded,
            @Nullable ExitStream stream, @Nullable Throwable failure) {
        ChannelHandlerContext c = ctx;
        RotateOnBlock rot = ex.rotation;
        if (retry != next || c == null || !c.channel().isActive() || exchange != ex || rot == null) {
            if (stream != null) {
                stream.close(); // the customer left meanwhile
            }
            dropBinding(next);
            return;
        }
        retry = null;
        if (stream == null || failure != null || stream.exit().nodeId() == null || stream.exit().nodeId().equals(excluded)) {
            if (stream != null) {
                stream.close();
            }
            dropBinding(next);
            log.debug("rotate-on-block: no other exit for {}, answering the first response: {}", first.host,
                    failure == null ? "same node" : failure.toString());
            services.metrics().rotation(GatewayMetrics.Rotation.NO_OTHER_EXIT);
            unpark(first, ex, rot);
            return;
        }
        // The first response is dropped whole; the node carried it, so it is metered (its record).
        ex.rotation = null;
        long discarded = rot.receivedBytes() + parkedBytes;
        rot.release();
        releaseParked();
        first.lastStatus = rot.status();
        boolean withinBudget = connection.meterOffSocket(0, discarded);
        finishBinding(first, null, false);
        if (!withinBudget) {
            stream.close();
            dropBinding(next);
            cutForBudget(c);
            return;
        }
        services.metrics().rotation(GatewayMetrics.Rotation.ROTATED);
        ex.rotated = true;
        binding = next;
        started(next, stream);
    }

    /** No other exit: the parked first response goes to the customer as it came. */
    private void unpark(Binding first, Exchange ex, RotateOnBlock rot) {
        ex.rotation = null;
        List<HttpObject> held = rot.takeHeld();
        rot.release();
        List<ByteBuf> data = List.copyOf(parkedData);
        parkedData.clear();
        boolean closed = parkedClosed;
        String error = parkedError;
        parked = null;
        parkedBytes = 0;
        parkedClosed = false;
        parkedError = null;
        ChannelFuture last = null;
        for (HttpObject o : held) {
            ChannelFuture f = onResponseObject(first, o);
            last = f == null ? last : f;
        }
        ChannelHandlerContext c = ctx;
        if (last != null && c != null) {
            c.flush();
        }
        for (ByteBuf d : data) {
            onExitData(first, d);
        }
        if (closed) {
            onExitClosed(first, error);
        }
    }

    /** Releases the parked exit's kept data (the binding itself is finished by the caller). */
    private void releaseParked() {
        parked = null;
        parkedData.forEach(ByteBuf::release);
        parkedData.clear();
        parkedBytes = 0;
        parkedClosed = false;
        parkedError = null;
    }

    /**
     * Ends the exchange's {@code rotate-on-block} state early (failure, customer gone): what the
     * first exit sent and the customer never got is metered, the copies are released, a retry
     * being opened is abandoned.
     */
    private void dropRotation(@Nullable Exchange ex) {
        Binding r = retry;
        if (r != null) {
            retry = null;
            dropBinding(r);
        }
        RotateOnBlock rot = ex == null ? null : ex.rotation;
        if (rot == null) {
            releaseParked();
            return;
        }
        ex.rotation = null;
        long undelivered = rot.receivedBytes() + parkedBytes;
        rot.release();
        releaseParked();
        if (undelivered > 0) {
            connection.meterOffSocket(0, undelivered);
        }
    }

    /** Forgets a binding whose stream never opened: nothing was carried, so no usage record. */
    private static void dropBinding(Binding b) {
        b.finished = true;
        for (HttpObject msg; (msg = b.pending.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        b.codec.finishAndReleaseAll();
    }

    /** The account's byte budget is gone while a request is carried: cut, as the metering handler does. */
    private void cutForBudget(ChannelHandlerContext c) {
        services.metrics().error(ProxyError.BALANCE_EXHAUSTED);
        c.close();
    }

    /** Writes one response object to the customer (hop-by-hop and debug headers on a final head). */
    private @Nullable ChannelFuture deliver(Binding b, Exchange ex, HttpObject obj) {
        ChannelHandlerContext c = ctx;
        if (c == null || ex != exchange || ex.responseDone || b.finished) {
            ReferenceCountUtil.release(obj);
            return null;
        }
        if (obj instanceof HttpResponse response) {
            int code = response.status().code();
            if (code == 101) {
                ReferenceCountUtil.release(obj);
                failExchange(b, ProxyError.BAD_RESPONSE, "the target switched protocols, which the proxy does not forward", List.of());
                return null;
            }
            ex.interim = code >= 100 && code < 200;
            if (!ex.interim) {
                b.lastStatus = code;
                boolean bodyless = HttpMethod.HEAD.equals(ex.method) || code == 204 || code == 304;
                boolean delimited = bodyless || HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
                if (!HttpUtil.isKeepAlive(response) || !delimited) {
                    b.reusable = false;
                }
                if (!delimited || !ex.customerKeepAlive) {
                    ex.closeCustomer = true;
                }
            }
            HttpProxyHeaders.stripHopByHop(response.headers());
            if (!ex.interim) {
                if (ex.closeCustomer) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                } else if (!ex.version.isKeepAliveDefault()) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ExitStream s = b.stream;
                if (b.targeting.debug() && s != null) {
                    HttpProxyHeaders.addDebug(response.headers(), s.exit());
                }
                if (ex.rotated) {
                    response.headers().set(HttpProxyHeaders.ROTATED, "1"); // docs/rotate-on-block.md#headers
                }
                ex.responseStarted = true;
            }
        }
        boolean last = obj instanceof LastHttpContent;
        ChannelFuture f = c.write(obj);
        if (last) {
            if (ex.interim) {
                ex.interim = false;
            } else {
                ex.responseDone = true;
                f.addListener(done -> {
                    if (done.isSuccess()) {
                        onResponseWritten(ex);
                    }
                });
            }
        }
        return f;
    }

    private void onResponseWritten(Exchange ex) {
        if (ex != exchange) {
            return;
        }
        ex.responseWritten = true;
        if (ex.requestDone) {
            completeExchange(ex);
        } else {
            readIfWanted(); // the origin answered before the body was complete: keep sending it
        }
    }

    private void completeExchange(Exchange ex) {
        dropRotation(ex);
        exchange = null;
        connection.exchangeCompleted();
        Binding b = binding;
        ChannelHandlerContext c = ctx;
        if (c == null) {
            return;
        }
        if (ex.closeCustomer) {
            if (b != null) {
                b.customerClosesEach = !ex.customerKeepAlive;
                finishBinding(b, null, true);
            }
            c.close();
            return;
        }
        if (b != null && (!b.reusable || b.targeting.exitPerRequest())) {
            finishBinding(b, null, true);
        }
        requestRead(c);
    }

    private void onExitClosed(Binding b, @Nullable String error) {
        if (b.finished) {
            return;
        }
        if (b == parked) {
            parkedClosed = true; // handled after the parked data if the response is delivered after all
            parkedError = error;
            return;
        }
        Exchange ex = exchange;
        ChannelHandlerContext c = ctx;
        if (b != binding || ex == null || c == null) {
            finishBinding(b, null, true); // an idle keep-alive stream ended
            return;
        }
        ExitStream s = b.stream;
        if (s != null && s.reused() && !b.responseSeen && b.requests == 1 && b.staleRetryHead != null
                && !ex.responseStarted && retry == null) {
            resendOnNewStream(b, ex); // the origin closed the reused connection before answering
            return;
        }
        b.reusable = false;
        ChannelFuture last = null;
        try {
            b.codec.finish(); // ends a close-delimited response
            for (Object o; (o = b.codec.readInbound()) != null; ) {
                ChannelFuture f = onResponseObject(b, (HttpObject) o);
                if (f != null) {
                    last = f;
                }
            }
        } catch (RuntimeException e) {
            log.debug("decoding the end of a response failed", e);
        }
        if (last != null) {
            c.flush();
        }
        if (b == parked) {
            parkedClosed = true;
            parkedError = error;
            return;
        }
        if (b.finished || ex.responseDone) {
            return; // completion follows once the last write is done
        }
        String detail = "the exit closed the stream before the response was complete" + (error == null ? "" : ": " + error);
        failExchange(b, ProxyError.EXIT_CLOSED, detail, List.of());
    }

    /**
     * The reused stream of {@code stale} ended before any byte of the answer (the origin closed the
     * idle connection, docs/exit-reuse.md#stale): its request goes again, once, on a new stream. The
     * stale stream carried nothing the customer gets and emits no usage record; the customer's bytes
     * are in the new stream's record.
     */
    private void resendOnNewStream(Binding stale, Exchange ex) {
        ChannelHandlerContext c = ctx;
        HttpRequest head = stale.staleRetryHead;
        if (c == null || head == null) {
            return;
        }
        Binding next = new Binding(stale.target, stale.principal, stale.targeting);
        next.requests = stale.requests;
        if (!stale.pending.isEmpty()) {
            next.pending.addAll(stale.pending); // never sent
            stale.pending.clear();
        } else {
            next.pending.add(head);
            if (ex.requestDone) {
                next.pending.add(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
        stale.staleRetryHead = null;
        stale.finished = true;
        ExitStream s = stale.stream;
        if (s != null) {
            s.abort("stale idle stream");
            services.metrics().streamClosed();
        }
        stale.codec.finishAndReleaseAll();
        InterimUsage.Stream interim = stale.interim;
        if (interim != null) {
            interim.end();
        }
        binding = next;
        readWhenWritable = false;
        services.metrics().staleExitResent();
        ProxyTunnels.openExit(services, c, new ExitRequest(stale.principal, stale.targeting, stale.target.host(),
                stale.target.port(), connection.id()), (stream, failure) -> onOpened(next, stream, failure));
    }

    /** Answers the current exchange with {@code error} if nothing was sent yet, records, and closes. */
    private void failExchange(Binding b, ProxyError error, String detail, List<String> alternatives) {
        Exchange ex = exchange;
        dropRotation(ex);
        exchange = null;
        services.metrics().error(error);
        ChannelHandlerContext c = ctx;
        if (c == null || ex == null || ex.responseStarted || !c.channel().isActive()) {
            finishBinding(b, error, false);
            if (c != null) {
                c.close();
            }
            return;
        }
        b.finished = true; // no more exit data; recorded once the answer was written
        c.writeAndFlush(ProxyErrorResponses.http(c.alloc(), error, detail, alternatives, null))
                .addListener((ChannelFutureListener) f -> {
                    b.finished = false;
                    finishBinding(b, error, false);
                    f.channel().close();
                });
    }

    /** Closes the binding's stream (once) and emits its usage record. */
    private void finishBinding(Binding b, @Nullable ProxyError error, boolean graceful) {
        if (b.finished) {
            return;
        }
        b.finished = true;
        if (binding == b) {
            binding = null;
        }
        readWhenWritable = false;
        ExitStream s = b.stream;
        if (s != null) {
            if (graceful) {
                // Graceful means between exchanges: the last one is complete in both directions.
                if (!(b.reusable && b.customerClosesEach && reusableFor(b.targeting) && s.parkForReuse())) {
                    s.close();
                }
            } else {
                s.abort(error == null ? "customer connection closed" : error.code());
            }
            services.metrics().streamClosed();
        }
        for (HttpObject msg; (msg = b.pending.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        b.codec.finishAndReleaseAll();
        InterimUsage.Stream interim = b.interim;
        if (interim != null) {
            interim.end();
        }
        services.recordUsage(b.metered(), b.requests,
                s == null ? null : s.exit(), error, b.lastStatus);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropRotation(exchange);
        Binding b = binding;
        if (b != null) {
            finishBinding(b, null, exchange == null);
        }
        exchange = null;
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (exchange == null && !connectMode) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (connectMode) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.debug("HTTP proxy connection failed", cause);
        ctx.close();
    }

    /** Runs {@code task} on the customer channel's event loop, or {@code orElse} if that is gone. */
    private void onLoop(Runnable task, Runnable orElse) {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            orElse.run();
            return;
        }
        if (c.executor().inEventLoop()) {
            task.run();
            return;
        }
        try {
            c.executor().execute(task);
        } catch (RejectedExecutionException e) {
            orElse.run();
        }
    }
}
