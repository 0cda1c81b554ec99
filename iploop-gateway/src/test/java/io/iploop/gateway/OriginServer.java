package io.iploop.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.Executors;

/** A real local HTTP origin on 127.0.0.1: {@code /big} (1 MiB, Content-Length), {@code /echo}, {@code /chunked}. */
public final class OriginServer implements AutoCloseable {

    public static final byte[] BIG = new byte[1 << 20];

    static {
        new Random(42).nextBytes(BIG);
    }

    private final HttpServer server;

    public OriginServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/big", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, BIG.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(BIG);
            }
        });
        server.createContext("/echo", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            ex.getResponseHeaders().set("X-Method", ex.getRequestMethod());
            ex.getResponseHeaders().set("X-Saw-Proxy-Authorization",
                    String.valueOf(ex.getRequestHeaders().containsKey("Proxy-Authorization")));
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 16; i++) {
                    out.write(BIG, i * 65536, 65536);
                    out.flush();
                }
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
