package io.iploop.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code rotate-on-block} rule for one plain-HTTP exchange (docs/rotate-on-block.md): keeps a
 * copy of a small request to replay it once through another exit, and decides from the first
 * response whether the origin blocked the exit. The decision is cheap and bounded: a status of
 * {@link #BLOCK_STATUSES} decides at the response head; a {@code 200} {@code text/html} body
 * without {@code Content-Encoding} is held until {@link #SNIFF_BYTES} of it (or all of it, if
 * shorter) arrived and then searched for {@link #BLOCK_PAGE_MARKERS}; everything else passes at
 * once. Held objects are at most the head plus {@link #SNIFF_BYTES} and the rest of the one decoded
 * chunk that crossed it.
 *
 * <p>Owns (and releases in {@link #release()}) the copied request body and the held response
 * objects. Not thread-safe: confined to the customer channel's event loop.
 */
final class RotateOnBlock {

    /** The largest request body (bytes) kept for a replay; a larger or longer body is not retried. */
    static final int MAX_REPLAY_BODY = 64 * 1024;

    /** Body bytes of a {@code text/html} 200 response searched for block-page markers. */
    static final int SNIFF_BYTES = 4 * 1024;

    /** Origin statuses that mean "this exit is blocked": forbidden, rate-limited, unavailable. */
    static final Set<Integer> BLOCK_STATUSES = Set.of(403, 429, 503);

    /**
     * Lower-case ASCII markers of well-known block and challenge pages, searched (ignoring case) in
     * the first {@link #SNIFF_BYTES} of a {@code text/html} 200 body. Each names a page served
     * instead of the content, never wording a normal page would carry.
     */
    static final List<String> BLOCK_PAGE_MARKERS = List.of(
            "<title>access denied</title>",          // Akamai edge refusal
            "attention required! | cloudflare",       // Cloudflare WAF block page title
            "<title>just a moment...</title>",       // Cloudflare browser challenge
            "px-captcha",                             // PerimeterX / HUMAN captcha container
            "captcha-delivery.com",                   // DataDome captcha iframe
            "our systems have detected unusual traffic"); // Google's "sorry" page

    /** What the response seen so far says. */
    enum Verdict {
        /** The exit is blocked: discard the response and retry elsewhere. */
        BLOCKED,
        /** Not a block: deliver what is held and stream the rest. */
        PASS,
        /** A block page is possible: keep holding until more body arrived. */
        UNDECIDED
    }

    private @Nullable HttpRequest head;
    private final List<HttpContent> body = new ArrayList<>();
    private long bodyBytes;
    private final List<HttpObject> held = new ArrayList<>();
    private int heldBodyBytes;
    private int status;
    /** Bytes received from the first exit for the judged response (metered if it is discarded). */
    private long receivedBytes;

    private RotateOnBlock(HttpRequest head) {
        this.head = head;
    }

    /**
     * Starts the rule for {@code request} (after the proxy rewrote it for the origin), keeping a
     * copy of its head; null when its declared {@code Content-Length} exceeds {@link #MAX_REPLAY_BODY}.
     */
    static @Nullable RotateOnBlock forRequest(HttpRequest request) {
        if (HttpUtil.getContentLength(request, -1L) > MAX_REPLAY_BODY) {
            return null;
        }
        return new RotateOnBlock(new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                request.headers().copy()));
    }

    /**
     * Keeps a copy of a body part for the replay.
     *
     * @return false when the body grew past {@link #MAX_REPLAY_BODY}: the copies are released and
     *     the exchange is not to be retried
     */
    boolean addBody(HttpContent content) {
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > MAX_REPLAY_BODY) {
            release();
            return false;
        }
        body.add(content.copy());
        return true;
    }

    /** Bytes of request body kept for the replay. */
    long replayBodyBytes() {
        return bodyBytes;
    }

    /**
     * Hands over the request to send again (its head, then its body), once; the caller owns the
     * returned objects.
     *
     * @throws IllegalStateException if already taken or released
     */
    List<HttpObject> takeReplay() {
        HttpRequest h = head;
        if (h == null) {
            throw new IllegalStateException("the replay was already taken or released");
        }
        List<HttpObject> out = new ArrayList<>(body.size() + 1);
        out.add(h);
        out.addAll(body);
        head = null;
        body.clear();
        return out;
    }

    /**
     * Judges a final (non-1xx) response head of the first exit and holds it, unless it passes.
     *
     * @param method the request's method ({@code HEAD} has no body to search)
     */
    Verdict onHead(HttpResponse response, HttpMethod method) {
        status = response.status().code();
        if (BLOCK_STATUSES.contains(status)) {
            held.add(response);
            return Verdict.BLOCKED;
        }
        if (status == 200 && !HttpMethod.HEAD.equals(method) && isPlainHtml(response)) {
            held.add(response);
            return Verdict.UNDECIDED;
        }
        return Verdict.PASS;
    }

    /** Holds a body part of an undecided response and judges it once enough arrived. */
    Verdict onContent(HttpContent content) {
        held.add(content);
        heldBodyBytes += content.content().readableBytes();
        if (heldBodyBytes < SNIFF_BYTES && !(content instanceof LastHttpContent)) {
            return Verdict.UNDECIDED;
        }
        return isBlockPage(sniffed()) ? Verdict.BLOCKED : Verdict.PASS;
    }

    /** Holds an object that arrived after the verdict {@link Verdict#BLOCKED} (in the same decoded chunk). */
    void hold(HttpObject obj) {
        held.add(obj);
    }

    /** The status of the judged response, 0 before its head. */
    int status() {
        return status;
    }

    /**
     * Counts bytes received from the first exit for the response being judged (from the first
     * byte after the request, or after an interim response).
     */
    void received(long n) {
        receivedBytes += n;
    }

    /**
     * An interim (1xx) response was delivered: the bytes counted so far reached the customer. (A
     * data frame that carried both an interim response and the start of the final one is then
     * metered once, at the socket, not again if the final response is discarded.)
     */
    void forgetReceived() {
        receivedBytes = 0;
    }

    long receivedBytes() {
        return receivedBytes;
    }

    /** Hands over the held response objects in order; the caller owns them. */
    List<HttpObject> takeHeld() {
        List<HttpObject> out = List.copyOf(held);
        held.clear();
        heldBodyBytes = 0;
        return out;
    }

    /** Bytes of response body held. */
    int heldBodyBytes() {
        return heldBodyBytes;
    }

    /** Releases everything still kept (replay copies, held response). Idempotent. */
    void release() {
        head = null;
        body.forEach(ReferenceCountUtil::release);
        body.clear();
        held.forEach(ReferenceCountUtil::release);
        held.clear();
        heldBodyBytes = 0;
    }

    /** The first {@link #SNIFF_BYTES} of the held body. */
    private byte[] sniffed() {
        byte[] out = new byte[Math.min(heldBodyBytes, SNIFF_BYTES)];
        int at = 0;
        for (HttpObject o : held) {
            if (o instanceof HttpContent c && at < out.length) {
                ByteBuf b = c.content();
                int n = Math.min(b.readableBytes(), out.length - at);
                b.getBytes(b.readerIndex(), out, at, n);
                at += n;
            }
        }
        return out;
    }

    /** Whether {@code start} (the beginning of an HTML body) contains a {@link #BLOCK_PAGE_MARKERS} marker, ignoring ASCII case. */
    static boolean isBlockPage(byte[] start) {
        String text = new String(start, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        for (String marker : BLOCK_PAGE_MARKERS) {
            if (text.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** {@code text/html} without a content coding (a compressed body is not searched). */
    private static boolean isPlainHtml(HttpResponse response) {
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.strip().toLowerCase(Locale.ROOT).startsWith("text/html")) {
            return false;
        }
        String coding = response.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        return coding == null || coding.isBlank() || HttpHeaderValues.IDENTITY.contentEqualsIgnoreCase(coding.strip());
    }
}
