package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.gateway.tls.SelfSignedCertificates;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS entry points (docs/tls.md) with real clients: the real curl through the HTTPS proxy
 * (plain and CONNECT targets), a JDK TLS socket speaking SOCKS5 by hand, a plain-text client on a
 * TLS port, TCP half-close through TLS, and a certificate replaced while a tunnel is open.
 */
@Timeout(120)
class TlsListenersIT {

    static final byte[] BIG = TestOrigin.expectedBytes(1 << 20);

    @TempDir
    static Path certs;

    static TestOrigin origin;
    static TestOrigin tlsOrigin;
    static Gateway gateway;
    static RecordingUsageSink sink = new RecordingUsageSink();
    static Path certFile;
    static Path keyFile;
    /** Answers each connection, once the client has ended its direction, with "got N" and the N bytes it read. */
    static ServerSocket halfCloseOrigin;
    /** HTTP/1.0 without a length: answers {@link #BIG} after the request head, then closes (the end of the body is the end of the stream). */
    static ServerSocket closeDelimitedOrigin;
    static final ExecutorService originThreads = Executors.newVirtualThreadPerTaskExecutor();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        tlsOrigin = TestOrigin.https();
        SelfSignedCertificates.Pair pair = SelfSignedCertificates.ensure(certs.resolve("live"), List.of());
        certFile = pair.certFile();
        keyFile = pair.keyFile();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(sink)
                .directExit(true)
                .withoutNodeHub()
                .handshakeTimeout(Duration.ofSeconds(2))
                .tls(new TlsListeners(0, 0, TlsListeners.OFF, certFile, keyFile, Duration.ofMillis(200)))
                .build();
        gateway.start();
        halfCloseOrigin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closeDelimitedOrigin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        originThreads.execute(() -> {
            while (!closeDelimitedOrigin.isClosed()) {
                try {
                    Socket s = closeDelimitedOrigin.accept();
                    originThreads.execute(() -> answerUntilClose(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        originThreads.execute(() -> {
            while (!halfCloseOrigin.isClosed()) {
                try {
                    Socket s = halfCloseOrigin.accept();
                    originThreads.execute(() -> answerAfterEof(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private static void answerAfterEof(Socket s) {
        try (s) {
            byte[] in = s.getInputStream().readAllBytes();
            OutputStream out = s.getOutputStream();
            out.write(("got " + in.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(in);
            out.flush();
        } catch (IOException ignored) {
            // The client went away.
        }
    }

    private static void answerUntilClose(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(BIG);
            out.flush();
        } catch (IOException ignored) {
            // The client went away.
        }
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        origin.close();
        tlsOrigin.close();
        halfCloseOrigin.close();
        closeDelimitedOrigin.close();
        originThreads.shutdownNow();
    }

    @BeforeEach
    void clear() throws InterruptedException {
        TestSupport.awaitIdleAndClear(gateway, sink);
    }

    private static String[] httpsProxy(String... rest) {
        List<String> args = new java.util.ArrayList<>(List.of("--proxy", "https://127.0.0.1:" + gateway.httpsProxyPort(),
                "--proxy-cacert", certFile.toString(), "--proxy-user", TestSupport.CUSTOMER + ":" + TestSupport.KEY));
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    @Test
    void curlThroughTheHttpsProxyGetsExactBytesForHttpAndHttpsTargetsMeteredAsOnThePlainListener() throws Exception {
        Curl.Result http = Curl.run(httpsProxy(origin.url("/bytes/" + BIG.length)));
        assertThat(http.exitCode()).as(http.stderr()).isZero();
        assertThat(http.status()).isEqualTo(200);
        assertThat(http.bodyBytes()).isEqualTo(BIG);
        UsageRecord rec = awaitRecord();
        assertThat(rec.success()).isTrue();
        assertThat(rec.httpStatus()).isEqualTo(200);
        assertThat(rec.userId()).isEqualTo(TestSupport.PRINCIPAL.userId());
        // The same bytes as on the plain listener: the HTTP exchange, not the TLS records around it.
        assertThat(rec.bytesDownloaded()).isEqualTo(http.sizeHeader() + http.sizeDownload());
        assertThat(rec.bytesUploaded()).isEqualTo(http.sizeRequest());

        TestSupport.awaitIdleAndClear(gateway, sink);
        // An https:// target: CONNECT inside the proxy's TLS, the origin's own TLS inside the tunnel.
        Curl.Result https = Curl.run(httpsProxy("-k", tlsOrigin.url("/bytes/" + BIG.length)));
        assertThat(https.exitCode()).as(https.stderr()).isZero();
        assertThat(https.status()).isEqualTo(200);
        assertThat(https.bodyBytes()).isEqualTo(BIG);
        UsageRecord tunnel = awaitRecord();
        assertThat(tunnel.success()).isTrue();
        assertThat(tunnel.bytesDownloaded()).isGreaterThan(BIG.length);
    }

    @Test
    void curlRefusesTheProxyWithoutItsCertificateAndTheFailureIsCounted() throws Exception {
        double before = errors("tls_handshake_failed");
        Curl.Result r = Curl.run("--proxy", "https://127.0.0.1:" + gateway.httpsProxyPort(), "--proxy-user",
                TestSupport.CUSTOMER + ":" + TestSupport.KEY, origin.url("/bytes/10"));
        assertThat(r.exitCode()).as("curl trusts no self-signed proxy by default").isNotZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> errors("tls_handshake_failed") > before);
    }

    @Test
    void plainTextOnATlsPortIsClosedAndCountedAndTheListenerKeepsWorking() throws Exception {
        double before = errors("tls_handshake_failed");
        for (int port : new int[] {gateway.httpsProxyPort(), gateway.socksTlsPort()}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(("GET " + origin.url("/bytes/10") + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] answer = readUntilEof(s.getInputStream());
                // At most a TLS alert record, never an HTTP answer.
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> errors("tls_handshake_failed") >= before + 2);
        Curl.Result after = Curl.run(httpsProxy(origin.url("/bytes/100")));
        assertThat(after.status()).as(after.stderr()).isEqualTo(200);
    }

    @Test
    void socks5OverTlsCarriesExactBytesAndIsMetered() throws Exception {
        int responseLength;
        try (SSLSocket s = tlsSocket(gateway.socksTlsPort())) {
            socks5Connect(s, "127.0.0.1", origin.port());
            OutputStream out = s.getOutputStream();
            out.write(("GET /bytes/" + BIG.length + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] response = readUntilEof(s.getInputStream());
            String text = new String(response, StandardCharsets.ISO_8859_1);
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(Arrays.copyOfRange(response, bodyStart, response.length)).isEqualTo(BIG);
            responseLength = response.length;
        }
        // The tunnel's record comes when the customer connection closes.
        UsageRecord rec = awaitRecord();
        assertThat(rec.proxyType()).isEqualTo("socks5");
        assertThat(rec.success()).isTrue();
        // SOCKS5 replies (2 + 2 + 10 bytes) and the whole HTTP response, as on the plain listener.
        assertThat(rec.bytesDownloaded()).isEqualTo(2 + 2 + 10 + responseLength);
    }

    @Test
    void aClientThatEndsItsDirectionOverTlsGetsTheWholeAnswerThenCloseNotify() throws Exception {
        byte[] payload = TestOrigin.expectedBytes(300_000);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslContext client = SslContextBuilder.forClient().trustManager(certFile.toFile()).build();
            LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(client.newHandler(c.alloc(), "127.0.0.1", gateway.socksTlsPort()));
                            c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf b = (ByteBuf) msg;
                                    byte[] bytes = new byte[b.readableBytes()];
                                    b.readBytes(bytes);
                                    synchronized (received) {
                                        received.write(bytes, 0, bytes.length);
                                    }
                                    b.release();
                                    events.add("data");
                                }

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof SslCloseCompletionEvent e) {
                                        events.add(e.isSuccess() ? "close_notify" : "ssl closed: " + e.cause());
                                    } else if (evt instanceof ChannelInputShutdownEvent) {
                                        events.add("fin");
                                    }
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", gateway.socksTlsPort()).sync().channel();
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            tls.handshakeFuture().sync();
            byte[] user = TestSupport.CUSTOMER.getBytes(StandardCharsets.US_ASCII);
            byte[] pass = TestSupport.KEY.getBytes(StandardCharsets.US_ASCII);
            byte[] host = "127.0.0.1".getBytes(StandardCharsets.US_ASCII);
            int port = halfCloseOrigin.getLocalPort();
            ByteArrayOutputStream auth = new ByteArrayOutputStream();
            auth.write(1);
            auth.write(user.length);
            auth.write(user);
            auth.write(pass.length);
            auth.write(pass);
            ByteArrayOutputStream connect = new ByteArrayOutputStream();
            connect.write(new byte[] {5, 1, 0, 3, (byte) host.length});
            connect.write(host);
            connect.write(port >> 8);
            connect.write(port & 0xFF);
            int expectedReplies = 0;
            for (byte[] step : List.of(new byte[] {5, 1, 2}, auth.toByteArray(), connect.toByteArray())) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(step)).sync();
                expectedReplies += step[0] == 5 && step.length == 3 ? 2 : step[0] == 1 ? 2 : 10;
                int want = expectedReplies;
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    synchronized (received) {
                        return received.size() >= want;
                    }
                });
            }
            byte[] replies;
            synchronized (received) {
                replies = received.toByteArray();
                received.reset();
            }
            assertThat(replies).hasSize(14);
            assertThat(replies[5]).as("SOCKS5 reply code").isZero();
            ch.writeAndFlush(Unpooled.wrappedBuffer(payload)).sync();
            // Our direction ends the TLS way: close_notify, then the FIN.
            tls.closeOutbound().sync();
            ((SocketChannel) ch).shutdownOutput().sync();

            List<Object> seen = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                events.drainTo(seen);
                return seen.contains("fin");
            });
            byte[] answer;
            synchronized (received) {
                answer = received.toByteArray();
            }
            byte[] header = ("got " + payload.length + "\n").getBytes(StandardCharsets.US_ASCII);
            assertThat(Arrays.copyOfRange(answer, 0, header.length)).isEqualTo(header);
            assertThat(Arrays.copyOfRange(answer, header.length, answer.length)).isEqualTo(payload);
            List<Object> ends = seen.stream().filter(e -> !e.equals("data")).toList();
            assertThat(ends).as("the gateway ended our direction with close_notify before its FIN")
                    .containsExactly("close_notify", "fin");
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void anAnswerThatEndsWithTheExitsEndOfStreamEndsWithCloseNotifyForCurl() throws Exception {
        // Through a CONNECT tunnel (-p) inside the proxy's TLS: the origin ends the body by closing,
        // so the gateway ends the customer's direction; OpenSSL reports a bare FIN as a truncation.
        Curl.Result r = Curl.run(httpsProxy("-p", "http://127.0.0.1:" + closeDelimitedOrigin.getLocalPort() + "/"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(BIG);
    }

    @Test
    void aReplacedCertificateIsUsedForNewConnectionsWhileOpenTunnelsContinue() throws Exception {
        X509Certificate old;
        try (SSLSocket open = tlsSocket(gateway.socksTlsPort(), certFile)) {
            old = (X509Certificate) open.getSession().getPeerCertificates()[0];
            socks5Connect(open, "127.0.0.1", origin.port());
            OutputStream out = open.getOutputStream();
            InputStream in = open.getInputStream();
            out.write("GET /bytes/1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponseBody(in)).isEqualTo(TestOrigin.expectedBytes(1000));

            // A new pair, written as an operator would: key and certificate replaced in place.
            Path cert = certFile;
            Path key = keyFile;
            SelfSignedCertificates.Pair next = SelfSignedCertificates.ensure(certs.resolve("next"), List.of());
            Path backupCert = Files.copy(cert, tmp.resolve("old-cert.pem"));
            Path backupKey = Files.copy(key, tmp.resolve("old-key.pem"));
            try {
                Files.copy(next.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(next.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
                X509Certificate fresh = readCert(next.certFile());
                assertThat(fresh.getSerialNumber()).isNotEqualTo(old.getSerialNumber());
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                    try (SSLSocket s = tlsSocket(gateway.httpsProxyPort(), next.certFile())) {
                        assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber())
                                .isEqualTo(fresh.getSerialNumber());
                    }
                });
                assertThat(gateway.tlsCertificate().getSerialNumber()).isEqualTo(fresh.getSerialNumber());
                Curl.Result r = Curl.run(httpsProxy(origin.url("/bytes/100")));
                assertThat(r.exitCode()).as(r.stderr()).isZero();

                // The tunnel opened with the old certificate goes on.
                out.write("GET /bytes/5000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readResponseBody(in)).isEqualTo(TestOrigin.expectedBytes(5000));
                assertThat(((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber())
                        .isEqualTo(old.getSerialNumber());
            } finally {
                Files.copy(backupKey, key, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(backupCert, cert, StandardCopyOption.REPLACE_EXISTING);
                await().atMost(Duration.ofSeconds(10)).until(
                        () -> gateway.tlsCertificate().getSerialNumber().equals(old.getSerialNumber()));
            }
        }
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsNotLoaded() throws Exception {
        SelfSignedCertificates.Pair other = SelfSignedCertificates.ensure(certs.resolve("other"), List.of());
        Path backupKey = Files.copy(keyFile, tmp.resolve("old-key.pem"));
        java.math.BigInteger serial = gateway.tlsCertificate().getSerialNumber();
        try {
            Files.copy(other.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(1_000);
            assertThat(gateway.tlsCertificate().getSerialNumber()).isEqualTo(serial);
            Curl.Result r = Curl.run(httpsProxy(origin.url("/bytes/100")));
            assertThat(r.status()).as(r.stderr()).isEqualTo(200);
        } finally {
            Files.copy(backupKey, keyFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ---------------------------------------------------------------- helpers

    private UsageRecord awaitRecord() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !sink.records.isEmpty());
        return sink.records.getFirst();
    }

    private static double errors(String cause) {
        return gateway.meterRegistry().get("iploop.gateway.errors").tag("cause", cause).counter().count();
    }

    static X509Certificate readCert(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static SSLSocket tlsSocket(int port) throws Exception {
        return tlsSocket(port, certFile);
    }

    /** A TLS client socket to 127.0.0.1:port trusting only {@code trusted}, handshake done, with endpoint identification. */
    static SSLSocket tlsSocket(int port, Path trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("gateway", readCert(trusted));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        javax.net.ssl.SSLParameters params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    /** RFC 1928 / 1929 by hand: username/password method, CONNECT to host:port by name; asserts success. */
    static void socks5Connect(Socket s, String host, int port) throws IOException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 1, 2});
        out.flush();
        byte[] method = new byte[2];
        in.readFully(method);
        assertThat(method).containsExactly(5, 2);
        byte[] user = TestSupport.CUSTOMER.getBytes(StandardCharsets.US_ASCII);
        byte[] pass = TestSupport.KEY.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.write(1);
        auth.write(user.length);
        auth.write(user);
        auth.write(pass.length);
        auth.write(pass);
        out.write(auth.toByteArray());
        out.flush();
        byte[] authReply = new byte[2];
        in.readFully(authReply);
        assertThat(authReply).containsExactly(1, 0);
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream connect = new ByteArrayOutputStream();
        connect.write(new byte[] {5, 1, 0, 3, (byte) name.length});
        connect.write(name);
        connect.write(port >> 8);
        connect.write(port & 0xFF);
        out.write(connect.toByteArray());
        out.flush();
        byte[] reply = new byte[10];
        in.readFully(reply);
        assertThat(reply[1]).as("SOCKS5 reply code").isZero();
    }

    static byte[] readUntilEof(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no end of stream after " + out.size() + " bytes", e);
        } catch (java.net.SocketException reset) {
            // A reset after the alert: the connection is gone either way.
        }
        return out.toByteArray();
    }

    /** Reads one Content-Length response off a keep-alive connection and returns its body. */
    static byte[] readResponseBody(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream in the response head: " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        assertThat(h).startsWith("HTTP/1.1 200");
        int at = h.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        int length = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).strip());
        byte[] body = new byte[length];
        new DataInputStream(in).readFully(body);
        return body;
    }
}
