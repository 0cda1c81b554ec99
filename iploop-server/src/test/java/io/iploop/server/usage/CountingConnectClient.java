package io.iploop.server.usage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The fault suite's client: one CONNECT tunnel through the gateway's HTTP proxy port to a
 * {@code TestOrigin} on 127.0.0.1, with one {@code GET /bytes/<n>} inside it, counting every byte
 * the client's socket wrote and read so a test can compare them with the usage the platform stored.
 * Stateless; safe to call from several threads.
 */
public final class CountingConnectClient {

    /** Socket read timeout, ms. */
    static final int READ_TIMEOUT_MS = 20_000;

    private CountingConnectClient() {}

    /**
     * What one exchange carried on the client's socket, counted also when it failed part way.
     *
     * @param sent bytes written (CONNECT request, then the GET if the tunnel opened)
     * @param received bytes read (CONNECT response head, then everything until the peer closed)
     * @param ok whether the tunnel opened ({@code 200}) and at least the whole body came back
     */
    public record Exchange(long sent, long received, boolean ok) {}

    /**
     * Opens one tunnel as {@code customerId:key} and downloads {@code bodyBytes} through it.
     * Never throws: an I/O error ends the exchange with {@code ok == false} and the bytes carried
     * until then.
     */
    public static Exchange exchange(int proxyPort, String customerId, String key, int originPort, int bodyBytes) {
        long sent = 0;
        long received = 0;
        boolean tunnel = false;
        long body = 0;
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String auth = Base64.getEncoder().encodeToString((customerId + ":" + key).getBytes(StandardCharsets.US_ASCII));
            byte[] connect = ("CONNECT 127.0.0.1:" + originPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + originPort
                    + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            out.write(connect);
            out.flush();
            sent += connect.length;
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                received++;
                head.append((char) c);
            }
            tunnel = head.toString().startsWith("HTTP/1.1 200");
            if (tunnel) {
                byte[] get = ("GET /bytes/" + bodyBytes + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                out.write(get);
                out.flush();
                sent += get.length;
            }
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                received += n;
                body += n;
            }
        } catch (IOException e) {
            // the exchange failed; what was carried until then is still reported
        }
        return new Exchange(sent, received, tunnel && body >= bodyBytes);
    }
}
