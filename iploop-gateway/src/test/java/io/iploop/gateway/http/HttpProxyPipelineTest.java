package io.iploop.gateway.http;

import static io.iploop.gateway.testing.EmbeddedProxy.DEADLINE_MILLIS;
import static io.iploop.gateway.testing.EmbeddedProxy.writtenText;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.TestSupport;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import io.iploop.gateway.testing.EmbeddedProxy;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every handler of the HTTP proxy pipeline ({@link HttpProxyServerInitializer}) on an
 * {@link EmbeddedChannel}: fragmented input, each refusal with its exact status and
 * {@code X-IPLoop-Error}, the request-head deadline, and that the channel closes having released
 * every input buffer.
 */
class HttpProxyPipelineTest {

    private final EmbeddedProxy proxy = new EmbeddedProxy();

    @AfterEach
    void close() {
        proxy.close();
    }

    static String auth(String customer, String key) {
        return "Proxy-Authorization: Basic "
                + Base64.getEncoder().encodeToString((customer + ":" + key).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    static String goodAuth() {
        return auth(TestSupport.CUSTOMER, TestSupport.KEY);
    }

    /** Asserts the channel answered {@code status} with {@code code}, closed and leaked nothing; returns the answer. */
    private String assertRefused(EmbeddedChannel ch, int status, String code) {
        String got = writtenText(ch);
        assertThat(got).startsWith("HTTP/1.1 " + status + " ")
                .contains("X-IPLoop-Error: " + code + "\r\n")
                .contains("Proxy-Status: iploop; error=")
                .contains("Connection: close");
        assertThat(ch.isOpen()).as("closed after the answer").isFalse();
        assertThat(proxy.unreleasedInputs()).as("input buffers still referenced").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return got;
    }

    @Test
    void aRequestSentOneByteAtATimeReachesTheExit() {
        EmbeddedChannel ch = proxy.http();
        proxy.sendByteByByte(ch, ("GET http://refused.test/path HTTP/1.1\r\nHost: refused.test\r\n" + goodAuth() + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(ch, 502, "exit_connect_failed");
    }

    @Test
    void aConnectSentOneByteAtATimeReachesTheExit() {
        EmbeddedChannel ch = proxy.http();
        proxy.sendByteByByte(ch, ("CONNECT refused.test:443 HTTP/1.1\r\nHost: refused.test:443\r\n" + goodAuth() + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(ch, 502, "exit_connect_failed");
    }

    @Test
    void noCredentialsGet407WithProxyAuthenticate() {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertThat(assertRefused(ch, 407, "missing_credentials")).contains("Proxy-Authenticate: Basic realm=\"IPLoop\"");
    }

    @Test
    void wrongKeyGets407BadCredentials() {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n"
                + auth(TestSupport.CUSTOMER, "iploop_" + "f".repeat(48)) + "\r\n");
        assertRefused(ch, 407, "bad_credentials");
    }

    @Test
    void malformedBasicCredentialsGet407() {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: Basic !!!\r\n\r\n");
        assertRefused(ch, 407, "bad_credentials");
    }

    @Test
    void base64AlphabetButNotBase64Gets407() {
        // Only base64 characters, but 5 of them (no whole byte group) and padding in the middle.
        for (String bad : new String[] {"abcde", "YW=Jj"}) {
            EmbeddedChannel ch = proxy.http();
            proxy.send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: Basic " + bad + "\r\n\r\n");
            assertRefused(ch, 407, "bad_credentials");
        }
    }

    @Test
    void originFormGets400() {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, "GET /index.html HTTP/1.1\r\nHost: example.com\r\n" + goodAuth() + "\r\n");
        assertThat(assertRefused(ch, 400, "bad_request")).contains("absolute-form");
    }

    @Test
    void oversizedHeadGets400() {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, "GET http://example.com/ HTTP/1.1\r\nX-Big: " + "a".repeat(HttpProxyServerInitializer.MAX_HEADER_BYTES + 1)
                + "\r\n\r\n");
        assertRefused(ch, 400, "bad_request");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CONNECT user:pw@example.com:443 | user info",
        "CONNECT example.com:0 | port 0",
        "CONNECT example.com:70000 | port 70000",
        "CONNECT example.com:44x | port is not a number",
        "CONNECT example.com | needs a port",
        "CONNECT exa_mple.com:443 | '_'",
        "CONNECT -example.com:443 | hyphen",
        "CONNECT [::1%eth0]:443 | IPv6",
        "GET http://user@example.com/ | user info",
        "GET http://a..b/ | empty label",
        "GET http://example.com:0/ | port 0",
    })
    void invalidTargetsGet400InvalidTargetNamingTheFault(String requestLine, String named) {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, requestLine + " HTTP/1.1\r\nHost: x\r\n" + goodAuth() + "\r\n");
        assertThat(assertRefused(ch, 400, "invalid_target")).contains(named);
    }

    @Test
    void aControlByteInTheHostGets400() {
        EmbeddedChannel ch = proxy.http();
        proxy.send(ch, "CONNECT exa\u0001mple.com:443 HTTP/1.1\r\nHost: x\r\n" + goodAuth() + "\r\n");
        String got = writtenText(ch);
        assertThat(got).startsWith("HTTP/1.1 400 ").containsPattern("X-IPLoop-Error: (invalid_target|bad_request)");
        assertThat(ch.isOpen()).isFalse();
        assertThat(proxy.unreleasedInputs()).isEmpty();
    }

    @Test
    void aHeadTrickledInSlowerThanTheDeadlineGets408() {
        EmbeddedChannel ch = proxy.http();
        byte[] head = ("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n" + goodAuth()).getBytes(StandardCharsets.ISO_8859_1);
        // One byte a second: an idle timer would never fire, the head deadline does.
        for (int i = 0; i < 12 && ch.isOpen(); i++) {
            proxy.send(ch, new byte[] {head[i]});
            proxy.advance(ch, 1_000);
        }
        assertThat(assertRefused(ch, 408, "request_timeout")).contains("not complete within " + DEADLINE_MILLIS + " ms");
        assertThat(proxy.errors("request_timeout")).isEqualTo(1);
    }

    @Test
    void aSilentConnectionGets408AtTheDeadline() {
        EmbeddedChannel ch = proxy.http();
        proxy.advance(ch, DEADLINE_MILLIS - 1);
        assertThat(ch.isOpen()).isTrue();
        proxy.advance(ch, 1);
        assertRefused(ch, 408, "request_timeout");
    }

    @Test
    void onAKeepAliveConnectionIdlingIsFreeButTheNextHeadHasItsOwnDeadline() {
        try (EmbeddedProxy answering = new EmbeddedProxy(Runnable::run, request -> CompletableFuture.completedFuture(new OkExit()))) {
            EmbeddedChannel ch = answering.http();
            String get = "GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n" + goodAuth() + "\r\n";
            answering.send(ch, get);
            assertThat(writtenText(ch)).startsWith("HTTP/1.1 200 ").endsWith("ok");

            answering.advance(ch, 5 * DEADLINE_MILLIS); // an idle keep-alive connection is the idle timer's business
            assertThat(ch.isOpen()).isTrue();
            answering.send(ch, get);
            assertThat(writtenText(ch)).startsWith("HTTP/1.1 200 ").endsWith("ok");

            byte[] next = get.getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < 12 && ch.isOpen(); i++) {
                answering.send(ch, new byte[] {next[i]});
                answering.advance(ch, 1_000);
            }
            assertThat(writtenText(ch)).startsWith("HTTP/1.1 408 ").contains("X-IPLoop-Error: request_timeout");
            assertThat(ch.isOpen()).isFalse();
            assertThat(answering.unreleasedInputs()).isEmpty();
        }
    }

    /** An exit whose origin answers every request head with {@code 200} and the body {@code ok}. */
    private static final class OkExit implements ExitStream {
        private final StringBuilder head = new StringBuilder();
        private ByteStream.@Nullable Handler handler;
        private boolean open = true;

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public boolean isWritable() {
            return open;
        }

        @Override
        public void write(ByteBuf data) {
            head.append(data.toString(StandardCharsets.ISO_8859_1));
            data.release();
            ByteStream.Handler h = handler;
            if (h != null && head.indexOf("\r\n\r\n") >= 0) {
                head.setLength(0);
                h.onData(this, Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        public void ack(int bytes) {}

        @Override
        public void setHandler(ByteStream.Handler h) {
            handler = h;
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public void abort(String reason) {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public ExitInfo exit() {
            return new ExitInfo(null, null, null, 0, null);
        }
    }

    @Test
    void aFullCredentialQueueGets503Overloaded() {
        try (EmbeddedProxy busy = new EmbeddedProxy(task -> {
            throw new RejectedExecutionException("full (test)");
        })) {
            EmbeddedChannel ch = busy.http();
            busy.send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n" + goodAuth() + "\r\n");
            String got = writtenText(ch);
            assertThat(got).startsWith("HTTP/1.1 503 ").contains("X-IPLoop-Error: overloaded");
            assertThat(ch.isOpen()).isFalse();
            assertThat(busy.unreleasedInputs()).isEmpty();
        }
    }
}
