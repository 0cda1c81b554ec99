package io.iploop.gateway.testing;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTP (or HTTPS, self-signed) origin on 127.0.0.1 with an ephemeral port.
 * {@code GET /bytes/N} answers N deterministic bytes ({@link #byteAt}) with Content-Length,
 * {@code GET /chunked/N} the same bytes with chunked transfer coding (RFC 9112 §7.1), flushed every
 * 64 KiB; {@code /echo} answers the request body, with the method in {@code X-Method} and whether a
 * {@code Proxy-Authorization} header reached the origin in {@code X-Saw-Proxy-Authorization};
 * {@code /headers} answers the request's headers as text, one {@code lower-case-name: value} line each.
 * Every request is recorded ({@link #requests()}). Thread-safe; close it after use.
 */
public final class TestOrigin implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final boolean https;
    private final @Nullable X509Certificate certificate;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private TestOrigin(HttpServer server, boolean https, @Nullable X509Certificate certificate) {
        this.server = server;
        this.https = https;
        this.certificate = certificate;
        record(server.createContext("/bytes/", this::bytes));
        record(server.createContext("/chunked/", this::chunked));
        record(server.createContext("/echo", this::echo));
        record(server.createContext("/headers", this::headers));
        server.setExecutor(executor);
        server.start();
    }

    /** One request the origin received: its path and headers (names as sent). */
    public record Request(String path, Headers headers) {}

    /** Every request received so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void record(HttpContext context) {
        context.getFilters().add(Filter.beforeHandler("record", ex ->
                requests.add(new Request(ex.getRequestURI().getPath(), ex.getRequestHeaders()))));
    }

    /** A plain HTTP origin. */
    public static TestOrigin http() throws IOException {
        return new TestOrigin(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128), false, null);
    }

    /** An HTTPS origin with a fresh self-signed certificate for 127.0.0.1 and localhost (made by the JDK's keytool). */
    public static TestOrigin https() throws Exception {
        Path dir = Files.createTempDirectory("iploop-origin-tls");
        Path keystore = dir.resolve("origin.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "origin", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new TestOrigin(server, true, (X509Certificate) ks.getCertificate("origin"));
    }

    /**
     * The self-signed certificate of an {@link #https()} origin, for clients that must trust it
     * (a PEM bundle for curl or Python, a trust store for the JDK).
     *
     * @throws IllegalStateException for a plain HTTP origin
     */
    public X509Certificate certificate() {
        if (certificate == null) {
            throw new IllegalStateException("a plain HTTP origin has no certificate");
        }
        return certificate;
    }

    /** The origin's port on 127.0.0.1. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://…}, plus {@code path}. */
    public String url(String path) {
        return (https ? "https" : "http") + "://127.0.0.1:" + port() + path;
    }

    /** The byte at offset {@code i} of every {@code /bytes/N} body. */
    public static byte byteAt(long i) {
        return (byte) ((i * 131 + (i >>> 9) * 7 + 13) & 0xFF);
    }

    /** The whole body of {@code /bytes/n}, for n up to 64 MiB. */
    public static byte[] expectedBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = byteAt(i);
        }
        return b;
    }

    private void bytes(HttpExchange ex) throws IOException {
        send(ex, "/bytes/", false);
    }

    private void chunked(HttpExchange ex) throws IOException {
        send(ex, "/chunked/", true);
    }

    private static void send(HttpExchange ex, String prefix, boolean chunked) throws IOException {
        long n;
        try {
            n = Long.parseLong(ex.getRequestURI().getPath().substring(prefix.length()));
        } catch (NumberFormatException e) {
            ex.sendResponseHeaders(400, -1);
            ex.close();
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, chunked ? 0 : (n == 0 ? -1 : n));
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = ex.getResponseBody()) {
            long sent = 0;
            while (sent < n) {
                int len = (int) Math.min(block.length, n - sent);
                for (int i = 0; i < len; i++) {
                    block[i] = byteAt(sent + i);
                }
                out.write(block, 0, len);
                if (chunked) {
                    out.flush();
                }
                sent += len;
            }
        } catch (IOException clientGone) {
            // The client (or the proxy) went away mid-body: nothing to do.
        }
    }

    private void echo(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("X-Method", ex.getRequestMethod());
        ex.getResponseHeaders().set("X-Saw-Proxy-Authorization",
                String.valueOf(ex.getRequestHeaders().containsKey("Proxy-Authorization")));
        ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private void headers(HttpExchange ex) throws IOException {
        ex.getRequestBody().readAllBytes();
        StringBuilder sb = new StringBuilder();
        ex.getRequestHeaders().forEach((name, values) -> values.forEach(
                v -> sb.append(name.toLowerCase(java.util.Locale.ROOT)).append(": ").append(v).append('\n')));
        byte[] body = sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
