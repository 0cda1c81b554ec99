package io.iploop.server.campaigns.internal;

import io.iploop.server.testing.Api;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A live-pulse listener that never reads (tests of docs/campaigns.md#live-pulse): a raw socket with a
 * 4 KiB receive buffer that asks for {@code /api/admin/live-stream} and then reads nothing, so the
 * server's writes to it stall once the socket buffers are full. Not thread-safe; close it to end the
 * stream.
 */
final class NonReadingListener implements AutoCloseable {

    private final Socket socket = new Socket();

    /** Connects to the shared platform and sends the request with {@code adminToken}; throws on I/O errors. */
    NonReadingListener(String adminToken) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", Api.port()));
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/admin/live-stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                + "Authorization: Bearer " + adminToken + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
