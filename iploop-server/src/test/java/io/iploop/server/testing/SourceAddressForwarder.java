package io.iploop.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder that makes a local client appear to come from another loopback address: it
 * listens on an ephemeral port of 127.0.0.1 and connects each accepted connection on to {@code
 * target} from {@code source} (e.g. {@code 127.0.0.11}), so the server sees that address as the
 * peer. For giving test agents distinct addresses that a test GeoIP database maps. Two platform
 * threads per connection; {@link #close()} ends everything. Thread-safe.
 */
public final class SourceAddressForwarder implements AutoCloseable {

    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    /**
     * @param source a local (loopback) address to connect from
     * @param target where to forward to
     */
    public SourceAddressForwarder(String source, InetSocketAddress target) throws IOException {
        InetAddress from = InetAddress.ofLiteral(source);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("forwarder-" + source).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket();
                    sockets.add(in);
                    sockets.add(out);
                    out.bind(new InetSocketAddress(from, 0));
                    out.connect(target, 5_000);
                    in.setTcpNoDelay(true);
                    out.setTcpNoDelay(true);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    // closed, or the target refused: the client sees its connection end
                }
            }
        });
    }

    /** The port to connect to on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) > 0) {
                    o.write(buf, 0, n);
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(this::closeQuietly);
    }
}
