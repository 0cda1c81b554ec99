package io.iploop.gateway.http;

import static io.iploop.gateway.testing.EmbeddedProxy.writtenText;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.TestSupport;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.EmbeddedProxy;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code rotate-on-block} (docs/rotate-on-block.md): the decision rule and its bounds on
 * {@link RotateOnBlock} alone, then the whole HTTP proxy pipeline on an {@link EmbeddedChannel}
 * with scripted node exits: the retry through another node, the first response never leaking,
 * both attempts metered, the fallback when no other node exists, and what is never retried.
 */
class RotateOnBlockTest {

    private static ResourceLeakDetector.Level previousLevel;
    private static TestSupport.LeakWatcher leaks;

    /** Every buffer tracked (held responses, replay copies, parked frames), so a leak is reported. */
    @BeforeAll
    static void watchLeaks() {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        leaks = TestSupport.LeakWatcher.install();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        List<String> found = leaks.collect();
        leaks.uninstall();
        ResourceLeakDetector.setLevel(previousLevel);
        assertThat(found).as("leaked ByteBufs").isEmpty();
    }

    // ---- the rule ----

    @ParameterizedTest
    @ValueSource(ints = {403, 429, 503})
    void blockStatusesDecideAtTheHead(int status) {
        RotateOnBlock r = RotateOnBlock.forRequest(get());
        assertThat(r).isNotNull();
        assertThat(r.onHead(response(status, "text/plain"), HttpMethod.GET)).isEqualTo(RotateOnBlock.Verdict.BLOCKED);
        r.release();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 302, 404, 500, 502})
    void otherStatusesPassUnlessA200HtmlPage(int status) {
        RotateOnBlock r = RotateOnBlock.forRequest(get());
        assertThat(r.onHead(response(status, "application/json"), HttpMethod.GET)).isEqualTo(RotateOnBlock.Verdict.PASS);
        RotateOnBlock.Verdict html = RotateOnBlock.forRequest(get()).onHead(response(status, "text/html; charset=utf-8"), HttpMethod.GET);
        assertThat(html).isEqualTo(status == 200 ? RotateOnBlock.Verdict.UNDECIDED : RotateOnBlock.Verdict.PASS);
    }

    @Test
    void aCompressedOrHeadResponseIsNotSearched() {
        HttpResponse gz = response(200, "text/html");
        gz.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
        assertThat(RotateOnBlock.forRequest(get()).onHead(gz, HttpMethod.GET)).isEqualTo(RotateOnBlock.Verdict.PASS);
        assertThat(RotateOnBlock.forRequest(get()).onHead(response(200, "text/html"), HttpMethod.HEAD))
                .isEqualTo(RotateOnBlock.Verdict.PASS);
    }

    @Test
    void everyMarkerIsFoundIgnoringCaseAndNormalPagesPass() {
        for (String marker : RotateOnBlock.BLOCK_PAGE_MARKERS) {
            String page = "<!doctype html><html><head>" + marker.toUpperCase(java.util.Locale.ROOT) + "</head></html>";
            assertThat(RotateOnBlock.isBlockPage(page.getBytes(StandardCharsets.ISO_8859_1))).as(marker).isTrue();
        }
        assertThat(RotateOnBlock.isBlockPage("<html><title>Welcome</title><p>Access to our catalogue</p>".getBytes(StandardCharsets.ISO_8859_1)))
                .isFalse();
    }

    @Test
    void onlyTheFirstFourKibOfTheBodyAreSearchedAndHeld() {
        RotateOnBlock r = RotateOnBlock.forRequest(get());
        assertThat(r.onHead(response(200, "text/html"), HttpMethod.GET)).isEqualTo(RotateOnBlock.Verdict.UNDECIDED);
        assertThat(r.onContent(content("x".repeat(3000)))).isEqualTo(RotateOnBlock.Verdict.UNDECIDED);
        // This part crosses 4 KiB; its marker starts after byte 4096, so it is not seen.
        String late = "y".repeat(RotateOnBlock.SNIFF_BYTES - 3000 + 10) + "<title>Access Denied</title>";
        assertThat(r.onContent(content(late))).isEqualTo(RotateOnBlock.Verdict.PASS);
        List<HttpObject> held = r.takeHeld();
        assertThat(held).hasSize(3);
        held.forEach(io.netty.util.ReferenceCountUtil::release);

        RotateOnBlock early = RotateOnBlock.forRequest(get());
        early.onHead(response(200, "text/html"), HttpMethod.GET);
        assertThat(early.onContent(content("x".repeat(4000) + "<title>access denied</title>" + "y".repeat(100)))).isEqualTo(RotateOnBlock.Verdict.BLOCKED);
        early.release();

        RotateOnBlock shortPage = RotateOnBlock.forRequest(get());
        shortPage.onHead(response(200, "text/html"), HttpMethod.GET);
        assertThat(shortPage.onContent(new DefaultLastHttpContent(Unpooled.copiedBuffer("<p>short</p>", StandardCharsets.US_ASCII))))
                .as("a short page is judged at its end").isEqualTo(RotateOnBlock.Verdict.PASS);
        shortPage.release();
    }

    @Test
    void aBodyOverTheLimitIsNotKeptAndItsCopiesAreReleased() {
        HttpRequest declared = get();
        declared.headers().set(HttpHeaderNames.CONTENT_LENGTH, RotateOnBlock.MAX_REPLAY_BODY + 1);
        assertThat(RotateOnBlock.forRequest(declared)).as("declared too long: no copy at all").isNull();

        RotateOnBlock r = RotateOnBlock.forRequest(get());
        List<ByteBuf> copies = new ArrayList<>();
        HttpContent part = content("z".repeat(RotateOnBlock.MAX_REPLAY_BODY / 2));
        assertThat(r.addBody(part)).isTrue();
        assertThat(r.addBody(part)).isTrue();
        assertThat(r.replayBodyBytes()).isEqualTo(RotateOnBlock.MAX_REPLAY_BODY);
        List<HttpObject> replay = r.takeReplay();
        assertThat(replay).hasSize(3);
        replay.stream().filter(o -> o instanceof HttpContent).forEach(o -> copies.add(((HttpContent) o).content()));
        copies.forEach(ByteBuf::release);

        RotateOnBlock over = RotateOnBlock.forRequest(get());
        HttpContent a = content("a".repeat(RotateOnBlock.MAX_REPLAY_BODY));
        assertThat(over.addBody(a)).isTrue();
        assertThat(over.addBody(content("b"))).as("one byte over").isFalse();
        part.release();
        a.release();
    }

    private static HttpRequest get() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    }

    private static HttpResponse response(int status, String type) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return r;
    }

    private static HttpContent content(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    // ---- the pipeline ----

    private static final UUID NODE_A = new UUID(0, 0xA);
    private static final UUID NODE_B = new UUID(0, 0xB);
    private static final String BLOCKED_403 = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nblocked-by-a!";
    private static final String OK_200 = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nwelcome";

    private static String request(String params) {
        return "GET http://origin.test/page HTTP/1.1\r\nHost: origin.test\r\n" + auth(params) + "\r\n";
    }

    private static String auth(String params) {
        return "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
                (TestSupport.CUSTOMER + ":" + TestSupport.KEY + params).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    @Test
    void a403IsRetriedOnceThroughAnotherNodeAndOnlyItsAnswerReachesTheCustomer() {
        Nodes nodes = new Nodes();
        // The head ends at byte 72: the third frame arrives after the verdict and is parked.
        nodes.script(NODE_A, BLOCKED_403.substring(0, 40), BLOCKED_403.substring(40, 75), BLOCKED_403.substring(75));
        nodes.script(NODE_B, OK_200);
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            String req = request("-rotate-on-block-debug-1");
            proxy.send(ch, req);
            String got = writtenText(ch);
            assertThat(got).startsWith("HTTP/1.1 200 ").endsWith("welcome")
                    .contains("X-IPLoop-Node: " + NODE_B + "\r\n")
                    .contains("X-IPLoop-Rotated: 1\r\n")
                    .doesNotContain("blocked").doesNotContain("403");
            assertThat(nodes.opened).extracting(e -> e.node).containsExactly(NODE_A, NODE_B);
            assertThat(nodes.requests.get(1).excludeNode()).as("the retry excludes the blocked node").isEqualTo(NODE_A);
            assertThat(nodes.opened.get(0).abortedOrClosed).as("the blocked stream is ended").isTrue();
            assertThat(nodes.opened.get(0).acked).as("parked data is not acknowledged: the window bounds it").isEqualTo(75);
            assertThat(nodes.opened.get(1).seen.toString()).startsWith("GET /page HTTP/1.1\r\n")
                    .isEqualTo(nodes.opened.get(0).seen.toString());
            ch.close();
            assertFramesReleased(nodes);
            List<UsageRecord> records = proxy.records();
            assertThat(records).hasSize(2);
            UsageRecord first = records.stream().filter(r -> NODE_A.equals(r.nodeId())).findFirst().orElseThrow();
            UsageRecord second = records.stream().filter(r -> NODE_B.equals(r.nodeId())).findFirst().orElseThrow();
            assertThat(first.httpStatus()).isEqualTo(403);
            assertThat(first.bytesDownloaded()).as("the discarded response, metered whole").isEqualTo(BLOCKED_403.length());
            assertThat(first.bytesUploaded()).as("the request as the customer sent it").isEqualTo(req.length());
            assertThat(second.httpStatus()).isEqualTo(200);
            assertThat(second.bytesUploaded()).as("the replayed request").isEqualTo(nodes.opened.get(1).seen.length());
            assertThat(second.bytesDownloaded()).as("what the customer got").isEqualTo(got.length());
            assertThat(proxy.meters.get("iploop.gateway.rotations").tag("outcome", "rotated").counter().count()).isEqualTo(1);
            assertThat(proxy.unreleasedInputs()).isEmpty();
        }
    }

    @Test
    void aBlockPageServedWith200IsRecognisedAndRotated() {
        Nodes nodes = new Nodes();
        String page = "<!doctype html><html><head><title>Access Denied</title></head><body>Reference #18</body></html>";
        nodes.script(NODE_A, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + page.length() + "\r\n\r\n" + page);
        nodes.script(NODE_B, OK_200);
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            proxy.send(ch, request("-rotate-on-block"));
            String got = writtenText(ch);
            assertThat(got).startsWith("HTTP/1.1 200 ").endsWith("welcome").contains("X-IPLoop-Rotated: 1\r\n")
                    .doesNotContain("Access Denied").doesNotContain("X-IPLoop-Node");
            ch.close();
            assertFramesReleased(nodes);
        }
    }

    @Test
    void anHtmlPageIsHeldOnlyUntilFourKibArrivedThenStreamed() {
        Nodes nodes = new Nodes();
        int length = 64 * 1024;
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + length + "\r\n\r\n";
        nodes.script(NODE_A, head + "<html>" + "p".repeat(2000));
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            proxy.send(ch, request("-rotate-on-block"));
            assertThat(writtenText(ch)).as("under 4 KiB of an HTML page: held").isEmpty();
            ScriptedExit a = nodes.opened.get(0);
            a.deliver("q".repeat(RotateOnBlock.SNIFF_BYTES));
            ch.runPendingTasks();
            String got = writtenText(ch);
            assertThat(got).as("past 4 KiB without a marker: everything so far goes out").startsWith("HTTP/1.1 200 ")
                    .endsWith("q".repeat(RotateOnBlock.SNIFF_BYTES)).doesNotContain("X-IPLoop-Rotated");
            a.deliver("r".repeat(length - 6 - 2000 - RotateOnBlock.SNIFF_BYTES));
            ch.runPendingTasks();
            assertThat(writtenText(ch)).as("the rest streams through").hasSize(length - 6 - 2000 - RotateOnBlock.SNIFF_BYTES);
            assertThat(nodes.opened).hasSize(1);
            ch.close();
        }
    }

    @Test
    void withOneMatchingNodeTheBlockedResponseIsAnsweredAsItCame() {
        Nodes nodes = new Nodes();
        nodes.script(NODE_A, BLOCKED_403.substring(0, 30), BLOCKED_403.substring(30));
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            proxy.send(ch, request("-rotate-on-block-debug-1"));
            String got = writtenText(ch);
            assertThat(got).startsWith("HTTP/1.1 403 ").endsWith("blocked-by-a!").contains("X-IPLoop-Node: " + NODE_A)
                    .doesNotContain("X-IPLoop-Rotated");
            assertThat(nodes.requests).hasSize(2);
            assertThat(nodes.requests.get(1).excludeNode()).isEqualTo(NODE_A);
            assertThat(proxy.meters.get("iploop.gateway.rotations").tag("outcome", "no_other_exit").counter().count()).isEqualTo(1);
            assertThat(ch.isOpen()).as("keep-alive goes on").isTrue();
            ch.close();
            assertFramesReleased(nodes);
            List<UsageRecord> records = proxy.records();
            assertThat(records).hasSize(1);
            assertThat(records.getFirst().bytesDownloaded()).as("delivered once, metered once").isEqualTo(got.length());
        }
    }

    @Test
    void aCustomerLeavingWhileTheRetryOpensReleasesEverythingAndIsMeteredForWhatTheNodeCarried() {
        Nodes nodes = new Nodes();
        nodes.retryHangs = true;
        nodes.script(NODE_A, BLOCKED_403.substring(0, 75), BLOCKED_403.substring(75));
        nodes.script(NODE_B, OK_200);
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            proxy.send(ch, request("-rotate-on-block"));
            assertThat(writtenText(ch)).as("nothing while the retry opens").isEmpty();
            assertThat(nodes.requests).hasSize(2);
            ch.close();
            ch.runPendingTasks();
            assertThat(nodes.opened.get(0).abortedOrClosed).isTrue();
            assertFramesReleased(nodes);
            List<UsageRecord> records = proxy.records();
            assertThat(records).hasSize(1);
            assertThat(records.getFirst().nodeId()).isEqualTo(NODE_A);
            assertThat(records.getFirst().bytesDownloaded()).as("the undelivered response its node carried").isEqualTo(BLOCKED_403.length());
            assertThat(proxy.unreleasedInputs()).isEmpty();
        }
    }

    @Test
    void withoutRotateOnBlockThe403IsAnsweredUnchanged() {
        Nodes nodes = new Nodes();
        nodes.script(NODE_A, BLOCKED_403);
        nodes.script(NODE_B, OK_200);
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            proxy.send(ch, request(""));
            assertThat(writtenText(ch)).startsWith("HTTP/1.1 403 ").endsWith("blocked-by-a!");
            assertThat(nodes.opened).hasSize(1);
            ch.close();
        }
    }

    @Test
    void aBodyOverTheReplayLimitIsNotRetried() {
        Nodes nodes = new Nodes();
        nodes.script(NODE_A, BLOCKED_403);
        nodes.script(NODE_B, OK_200);
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            int n = RotateOnBlock.MAX_REPLAY_BODY + 1;
            // Chunked, so the size is only known as the body arrives.
            String hex = Integer.toHexString(n);
            proxy.send(ch, "POST http://origin.test/upload HTTP/1.1\r\nHost: origin.test\r\nTransfer-Encoding: chunked\r\n"
                    + auth("-rotate-on-block") + "\r\n" + hex + "\r\n" + "u".repeat(n) + "\r\n0\r\n\r\n");
            assertThat(writtenText(ch)).startsWith("HTTP/1.1 403 ").endsWith("blocked-by-a!").doesNotContain("X-IPLoop-Rotated");
            assertThat(nodes.opened).hasSize(1);
            ch.close();
            assertThat(proxy.unreleasedInputs()).isEmpty();
        }
    }

    @Test
    void aSmallPostBodyIsReplayed() {
        Nodes nodes = new Nodes();
        nodes.script(NODE_A, "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n");
        nodes.script(NODE_B, OK_200);
        try (EmbeddedProxy proxy = new EmbeddedProxy(Runnable::run, nodes)) {
            EmbeddedChannel ch = proxy.http();
            nodes.loop = ch.eventLoop();
            proxy.send(ch, "POST http://origin.test/form HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 11\r\n"
                    + auth("-rotate-on-block") + "\r\nhello=world");
            assertThat(writtenText(ch)).startsWith("HTTP/1.1 200 ").endsWith("welcome");
            assertThat(nodes.opened.get(1).seen.toString()).endsWith("\r\n\r\nhello=world")
                    .isEqualTo(nodes.opened.get(0).seen.toString());
            ch.close();
            assertThat(proxy.unreleasedInputs()).isEmpty();
        }
    }

    /** Asserts the proxy released every data frame the exits handed it (held, parked or discarded ones too). */
    private static void assertFramesReleased(Nodes nodes) {
        for (ScriptedExit e : nodes.opened) {
            assertThat(e.delivered).as("frames from node %s", e.node).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        }
    }

    /** Scripted node exits: the first node not excluded by the request answers with its script. */
    private static final class Nodes implements ExitConnector {
        final Map<UUID, List<String>> scripts = new LinkedHashMap<>();
        final List<ScriptedExit> opened = new ArrayList<>();
        final List<ExitRequest> requests = new ArrayList<>();
        @Nullable Executor loop;
        /** When set, a retry (a request excluding a node) never finishes opening. */
        boolean retryHangs;

        void script(UUID node, String... pieces) {
            scripts.put(node, List.of(pieces));
        }

        @Override
        public CompletableFuture<ExitStream> open(ExitRequest request) {
            requests.add(request);
            if (retryHangs && request.excludeNode() != null) {
                return new CompletableFuture<>();
            }
            for (Map.Entry<UUID, List<String>> e : scripts.entrySet()) {
                if (!e.getKey().equals(request.excludeNode())) {
                    ScriptedExit exit = new ScriptedExit(e.getKey(), e.getValue(), loop);
                    opened.add(exit);
                    return CompletableFuture.completedFuture(exit);
                }
            }
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.NO_MATCHING_EXIT, "no other exit node matches"));
        }
    }

    /**
     * A node exit whose origin answers once the request (head and {@code Content-Length} or
     * chunked body) is complete: each scripted piece as one data frame, on the customer's loop
     * (as a real exit's data arrives: later, not inside the write).
     */
    private static final class ScriptedExit implements ExitStream {
        final UUID node;
        final List<String> pieces;
        final @Nullable Executor loop;
        final StringBuilder seen = new StringBuilder();
        ByteStream.@Nullable Handler handler;
        boolean answered;
        boolean abortedOrClosed;
        long acked;
        /** Every data frame handed to the proxy, to check that each was released. */
        final List<ByteBuf> delivered = new ArrayList<>();

        ScriptedExit(UUID node, List<String> pieces, @Nullable Executor loop) {
            this.node = node;
            this.pieces = pieces;
            this.loop = loop;
        }

        void deliver(String piece) {
            ByteStream.Handler h = handler;
            if (h != null && !abortedOrClosed) {
                ByteBuf data = Unpooled.copiedBuffer(piece, StandardCharsets.ISO_8859_1);
                delivered.add(data);
                h.onData(this, data);
            }
        }

        @Override
        public void write(ByteBuf data) {
            seen.append(data.toString(StandardCharsets.ISO_8859_1));
            data.release();
            if (!answered && complete()) {
                answered = true;
                Runnable answer = () -> pieces.forEach(this::deliver);
                Executor l = loop;
                if (l == null) {
                    answer.run();
                } else {
                    // Two loop turns later: after the proxy's own queued work (reading the
                    // request's end), as an answer over the network would arrive.
                    l.execute(() -> l.execute(answer));
                }
            }
        }

        private boolean complete() {
            int end = seen.indexOf("\r\n\r\n");
            if (end < 0) {
                return false;
            }
            String head = seen.substring(0, end).toLowerCase(java.util.Locale.ROOT);
            if (head.contains("transfer-encoding: chunked")) {
                return seen.toString().endsWith("\r\n0\r\n\r\n");
            }
            int at = head.indexOf("content-length: ");
            int length = at < 0 ? 0 : Integer.parseInt(head.substring(at + 16).split("\r\n", 2)[0].strip());
            return seen.length() >= end + 4 + length;
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public boolean isWritable() {
            return !abortedOrClosed;
        }

        @Override
        public void ack(int bytes) {
            acked += bytes;
        }

        @Override
        public void setHandler(ByteStream.Handler h) {
            handler = h;
        }

        @Override
        public void close() {
            abortedOrClosed = true;
        }

        @Override
        public void abort(String reason) {
            abortedOrClosed = true;
        }

        @Override
        public boolean isOpen() {
            return !abortedOrClosed;
        }

        @Override
        public ExitInfo exit() {
            return new ExitInfo(node, "US", null, 0, null);
        }
    }
}
