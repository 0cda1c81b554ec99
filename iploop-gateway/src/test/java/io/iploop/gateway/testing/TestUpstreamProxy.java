package io.iploop.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A small real upstream proxy on loopback for the upstream-pool tests: an HTTP proxy that serves
 * {@code CONNECT} (RFC 9110 §9.3.6) with optional {@code Proxy-Authorization: Basic}, or a SOCKS5
 * proxy (RFC 1928 CONNECT, RFC 1929 username/password). Relays bytes both ways with TCP
 * half-close, one virtual thread per direction. Counts the tunnels it opened. Thread-safe.
 */
public final class TestUpstreamProxy implements AutoCloseable {

    /** Which protocol it speaks. */
    public enum Kind { HTTP, SOCKS5 }

    private final Kind kind;
    private final @Nullable String username;
    private final @Nullable String password;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Tunnels opened so far. */
    public final AtomicInteger tunnels = new AtomicInteger();
    private final ConcurrentHashMap<Integer, AtomicInteger> byTargetPort = new ConcurrentHashMap<>();

    private TestUpstreamProxy(Kind kind, @Nullable String username, @Nullable String password, int port) throws IOException {
        this.kind = kind;
        this.username = username;
        this.password = password;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port), 512);
        threads.execute(this::acceptLoop);
    }

    /** Starts one on an ephemeral port; credentials null for none. */
    public static TestUpstreamProxy start(Kind kind, @Nullable String username, @Nullable String password) throws IOException {
        return new TestUpstreamProxy(kind, username, password, 0);
    }

    /** Starts one on {@code port} (to bring a "down" upstream back). */
    public static TestUpstreamProxy startOn(Kind kind, int port, @Nullable String username, @Nullable String password)
            throws IOException {
        return new TestUpstreamProxy(kind, username, password, port);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Tunnels opened so far to target port {@code port}. */
    public int tunnelsTo(int port) {
        AtomicInteger n = byTargetPort.get(port);
        return n == null ? 0 : n.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            Socket target = kind == Kind.HTTP ? httpHandshake(client) : socksHandshake(client);
            if (target == null) {
                client.close();
                return;
            }
            open.add(target);
            tunnels.incrementAndGet();
            byTargetPort.computeIfAbsent(target.getPort(), p -> new AtomicInteger()).incrementAndGet();
            threads.execute(() -> pump(client, target));
            pump(target, client);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private @Nullable Socket httpHandshake(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (!requestLine[0].equals("CONNECT")) {
            out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return null;
        }
        if (username != null) {
            String expected = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            boolean ok = false;
            for (String l : lines) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).equalsIgnoreCase("Proxy-Authorization")
                        && l.substring(colon + 1).strip().equals(expected)) {
                    ok = true;
                }
            }
            if (!ok) {
                out.write("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return null;
            }
        }
        String authority = requestLine[1];
        int colon = authority.lastIndexOf(':');
        Socket target;
        try {
            target = new Socket(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
        } catch (IOException e) {
            out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return null;
        }
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return target;
    }

    private static String readHead(InputStream in) throws IOException {
        String head = HttpHeads.read(in);
        if (!head.endsWith("\r\n\r\n")) {
            throw new IOException("closed in head");
        }
        return head;
    }

    private @Nullable Socket socksHandshake(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        if (in.read() != 5) {
            return null;
        }
        byte[] methods = in.readNBytes(in.read());
        int wanted = username == null ? 0 : 2;
        boolean offered = false;
        for (byte m : methods) {
            offered |= m == wanted;
        }
        if (!offered) {
            out.write(new byte[] {5, (byte) 0xFF});
            return null;
        }
        out.write(new byte[] {5, (byte) wanted});
        if (wanted == 2) {
            in.read(); // sub-negotiation version 1
            String u = new String(in.readNBytes(in.read()), StandardCharsets.UTF_8);
            String p = new String(in.readNBytes(in.read()), StandardCharsets.UTF_8);
            boolean ok = u.equals(username) && p.equals(password);
            out.write(new byte[] {1, (byte) (ok ? 0 : 1)});
            if (!ok) {
                return null;
            }
        }
        byte[] req = in.readNBytes(4); // VER CMD RSV ATYP
        String host;
        switch (req[3]) {
            case 1 -> host = java.net.InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 3 -> host = new String(in.readNBytes(in.read()), StandardCharsets.US_ASCII);
            case 4 -> host = java.net.InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            default -> {
                return null;
            }
        }
        int port = (in.read() << 8) | in.read();
        Socket target;
        try {
            target = new Socket(host, port);
        } catch (IOException e) {
            out.write(new byte[] {5, 5, 0, 1, 0, 0, 0, 0, 0, 0});
            return null;
        }
        out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
        out.flush();
        return target;
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Stops listening and closes every tunnel (a "down" upstream). */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        open.forEach(TestUpstreamProxy::closeQuietly);
        threads.shutdownNow();
    }
}
