package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.LeakWatcher;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.TestOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway with the direct exit, a real origin, real curl and the JDK HttpClient.
 */
@Timeout(120)
class GatewayIT {

    /** 1 MiB from the origin ({@code /bytes/N} and {@code /chunked/N}). */
    static final byte[] BIG = TestOrigin.expectedBytes(1 << 20);
    static final String BIG_PATH = "/bytes/" + BIG.length;

    static TestOrigin origin;
    static Gateway gateway;
    static RecordingUsageSink sink = new RecordingUsageSink();
    static InMemoryAuthenticator auth = new InMemoryAuthenticator();
    static LeakWatcher leaks;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        leaks = LeakWatcher.install();
        origin = TestOrigin.http();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(auth)
                .usageSink(sink)
                .directExit(true)
                .withoutNodeHub()
                .handshakeTimeout(Duration.ofSeconds(1))
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        origin.close();
        List<String> found = leaks.collect();
        leaks.uninstall();
        assertThat(found).as("leaked ByteBufs").isEmpty();
    }

    @BeforeEach
    void clear() throws InterruptedException {
        TestSupport.awaitIdleAndClear(gateway, sink);
    }

    record Result(int exit, String out, String err) {}

    static Result curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    String proxy(String password) {
        return "http://" + TestSupport.CUSTOMER + ":" + password + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    UsageRecord awaitRecord(String proxyType) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.stream().anyMatch(r -> r.proxyType().equals(proxyType)));
        return sink.records.stream().filter(r -> r.proxyType().equals(proxyType)).findFirst().orElseThrow();
    }

    @Test
    void httpDownloadIsByteIdenticalAndMeteredExactly() throws Exception {
        Path file = tmp.resolve("big");
        Result r = curl("-x", proxy(TestSupport.KEY), "-o", file.toString(),
                "-w", "%{http_code} %{size_header} %{size_download} %{size_request}", url(BIG_PATH));
        assertThat(r.exit()).as(r.err()).isZero();
        String[] w = r.out().split(" ");
        assertThat(w[0]).isEqualTo("200");
        assertThat(Files.readAllBytes(file)).isEqualTo(BIG);

        UsageRecord rec = awaitRecord("http");
        assertThat(rec.success()).isTrue();
        assertThat(rec.errorMessage()).isNull();
        assertThat(rec.httpStatus()).isEqualTo(200);
        assertThat(rec.requestCount()).isEqualTo(1);
        assertThat(rec.targetHost()).isEqualTo("127.0.0.1");
        assertThat(rec.userId()).isEqualTo(TestSupport.PRINCIPAL.userId());
        assertThat(rec.bytesDownloaded()).isEqualTo(Long.parseLong(w[1]) + Long.parseLong(w[2]));
        assertThat(rec.bytesUploaded()).isEqualTo(Long.parseLong(w[3]));
    }

    @Test
    void chunkedResponseAndUploadStreamThrough() throws Exception {
        Path file = tmp.resolve("chunked");
        Result r = curl("-x", proxy(TestSupport.KEY), "-o", file.toString(), url("/chunked/" + BIG.length));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(file)).isEqualTo(BIG);

        Path upload = tmp.resolve("upload");
        Files.write(upload, BIG);
        Path echoed = tmp.resolve("echoed");
        Result u = curl("-x", proxy(TestSupport.KEY), "--data-binary", "@" + upload, "-H", "Content-Type: application/octet-stream",
                "-o", echoed.toString(), "-w", "%{size_upload}", url("/echo"));
        assertThat(u.exit()).as(u.err()).isZero();
        assertThat(Files.readAllBytes(echoed)).isEqualTo(BIG);
    }

    @Test
    void missingOrWrongCredentialsGet407() throws Exception {
        Result none = curl("-i", "-x", "http://127.0.0.1:" + gateway.httpProxyPort(), url("/echo"));
        assertThat(none.out()).startsWith("HTTP/1.1 407")
                .contains("X-IPLoop-Error: missing_credentials")
                .contains("Proxy-Authenticate: Basic realm=\"IPLoop\"")
                .contains("Proxy-Status: iploop; error=http_request_denied");

        Result wrong = curl("-i", "-x", proxy("iploop_" + "f".repeat(48)), url("/echo"));
        assertThat(wrong.out()).startsWith("HTTP/1.1 407").contains("X-IPLoop-Error: bad_credentials");

        Result malformedKey = curl("-i", "-x", proxy("not-a-key"), url("/echo"));
        assertThat(malformedKey.out()).startsWith("HTTP/1.1 407").contains("X-IPLoop-Error: bad_credentials");
    }

    @Test
    void malformedParameterGets400NamingIt() throws Exception {
        Result r = curl("-i", "-x", proxy(TestSupport.KEY + "-lifetime-0"), url("/echo"));
        assertThat(r.out()).startsWith("HTTP/1.1 400")
                .contains("X-IPLoop-Error: invalid_targeting")
                .contains("lifetime: '0' (expected: minutes, or a number followed by s or h, > 0)");
        UsageRecord rec = awaitRecord("http");
        assertThat(rec.success()).isFalse();
        assertThat(rec.errorMessage()).isEqualTo("invalid_targeting");
        assertThat(rec.nodeId()).isNull();
    }

    @Test
    void originFormRequestGets400() throws Exception {
        Result r = curl("-i", "http://127.0.0.1:" + gateway.httpProxyPort() + "/hello");
        assertThat(r.out()).startsWith("HTTP/1.1 400").contains("X-IPLoop-Error: bad_request").contains("absolute-form");
    }

    @Test
    void debugHeadersAndHopByHopStripping() throws Exception {
        Result r = curl("-i", "-x", proxy(TestSupport.KEY + "-debug-1-session-abc_1"), "-H", "Connection: X-Secret",
                "-H", "X-Secret: 1", url("/echo"));
        assertThat(r.out()).startsWith("HTTP/1.1 200")
                .contains("X-IPLoop-Node: direct")
                .contains("X-IPLoop-Session: abc_1")
                .containsIgnoringCase("X-Saw-Proxy-Authorization: false");
    }

    @Test
    void keepAliveReusesTheConnectionAcrossHosts() throws Exception {
        Result r = curl("-x", proxy(TestSupport.KEY), "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                "-w", "%{http_code} %{num_connects}\\n", url("/echo"), url(BIG_PATH),
                "http://localhost:" + origin.port() + "/echo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).containsExactly("200 1", "200 0", "200 0");
        // One exit stream per destination (more only if the origin closes an idle connection).
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.stream().mapToInt(UsageRecord::requestCount).sum() == 3);
        assertThat(sink.records).extracting(UsageRecord::targetHost).contains("127.0.0.1", "localhost");
    }

    @Test
    void perRequestRotationOpensAnExitPerRequest() throws Exception {
        Result r = curl("-x", proxy(TestSupport.KEY + "-sesstype-per-request"), "-o", "/dev/null", "-o", "/dev/null",
                "-w", "%{http_code}\\n", url("/echo"), url("/echo"));
        assertThat(r.exit()).as(r.err()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.size() >= 2);
        assertThat(sink.records).allSatisfy(rec -> assertThat(rec.requestCount()).isEqualTo(1));
    }

    @Test
    void jdkHttpClientThroughTheProxy() throws Exception {
        try (HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", gateway.httpProxyPort())))
                .build()) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(
                    (TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> get = client.send(HttpRequest.newBuilder(URI.create(url(BIG_PATH)))
                    .timeout(Duration.ofSeconds(20))
                    .header("Proxy-Authorization", basic).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(BIG);

            HttpResponse<byte[]> post = client.send(HttpRequest.newBuilder(URI.create(url("/echo")))
                    .header("Proxy-Authorization", basic)
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(BIG)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(post.headers().firstValue("X-Method")).hasValue("POST");
            assertThat(post.body()).isEqualTo(BIG);
        }
    }

    @Test
    void connectTunnel() throws Exception {
        Path file = tmp.resolve("tunnel");
        Result r = curl("-v", "-p", "-x", proxy(TestSupport.KEY + "-debug-1"), "-o", file.toString(),
                "-w", "%{http_code}", url(BIG_PATH));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("200");
        assertThat(r.err()).contains("200 Connection established").contains("X-IPLoop-Node: direct");
        assertThat(Files.readAllBytes(file)).isEqualTo(BIG);
        UsageRecord rec = awaitRecord("http");
        assertThat(rec.bytesDownloaded()).isGreaterThan(BIG.length);
        assertThat(rec.requestCount()).isEqualTo(1);
        assertThat(rec.httpStatus()).as("a CONNECT tunnel's payload is not parsed").isNull();
    }

    @Test
    void connectTunnelCarriesAnUpload() throws Exception {
        Path upload = tmp.resolve("upload");
        Files.write(upload, BIG);
        Path echoed = tmp.resolve("echoed");
        Result u = curl("-p", "-x", proxy(TestSupport.KEY), "--data-binary", "@" + upload, "-o", echoed.toString(), url("/echo"));
        assertThat(u.exit()).as(u.err()).isZero();
        assertThat(Files.readAllBytes(echoed)).isEqualTo(BIG);
    }

    @Test
    void socks5WithHostnameResolvedAtTheExit() throws Exception {
        Path file = tmp.resolve("socks");
        Result r = curl("--socks5-hostname", "127.0.0.1:" + gateway.socksPort(),
                "--proxy-user", TestSupport.CUSTOMER + ":" + TestSupport.KEY,
                "-o", file.toString(), "-w", "%{http_code} %{size_header} %{size_download} %{size_request}",
                "http://localhost:" + origin.port() + BIG_PATH);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(file)).isEqualTo(BIG);
        String[] w = r.out().split(" ");
        UsageRecord rec = awaitRecord("socks5");
        assertThat(rec.targetHost()).isEqualTo("localhost");
        assertThat(rec.success()).isTrue();
        assertThat(rec.httpStatus()).isNull();
        // The SOCKS5 handshake is metered too: more than the HTTP bytes.
        assertThat(rec.bytesDownloaded()).isGreaterThan(Long.parseLong(w[1]) + Long.parseLong(w[2]));
        assertThat(rec.bytesUploaded()).isGreaterThan(Long.parseLong(w[3]));
    }

    @Test
    void socks5WithIpv4AndWrongPassword() throws Exception {
        Result ok = curl("--socks5", "127.0.0.1:" + gateway.socksPort(),
                "--proxy-user", TestSupport.CUSTOMER + ":" + TestSupport.KEY, "-o", "/dev/null", "-w", "%{http_code}", url("/echo"));
        assertThat(ok.out()).isEqualTo("200");
        Result bad = curl("--socks5-hostname", "127.0.0.1:" + gateway.socksPort(),
                "--proxy-user", TestSupport.CUSTOMER + ":iploop_" + "e".repeat(48), url("/echo"));
        assertThat(bad.exit()).isNotZero();
    }
}
