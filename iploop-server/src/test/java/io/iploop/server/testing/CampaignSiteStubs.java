package io.iploop.server.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * What campaign domain verification (docs/campaigns.md#domain-verification) talks to in tests, for
 * the whole test JVM, started when this class is first used: a DNS server on a loopback UDP port
 * answering TXT queries from {@link #txt} (NXDOMAIN for other names), and a web site on a loopback
 * port serving {@code /.well-known/iploop-verification.txt} with every token in {@link #fileTokens},
 * one per line, for any host name (tests verify {@code localhost} by file). {@link SharedPlatform}
 * points the platform's resolver and file-check port at them.
 */
public final class CampaignSiteStubs {

    /** TXT values by lower-case domain name without trailing dot; tests add and remove entries. */
    public static final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    /** Tokens the verification file lists; tests add and remove entries. */
    public static final Set<String> fileTokens = ConcurrentHashMap.newKeySet();
    /** Paths requested from the site, in order. */
    public static final List<String> requests = new CopyOnWriteArrayList<>();

    private static final DatagramSocket DNS;
    private static final HttpServer SITE;

    static {
        try {
            DNS = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread dns = new Thread(CampaignSiteStubs::serveDns, "campaign-dns-stub");
            dns.setDaemon(true);
            dns.start();
            SITE = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            SITE.createContext("/", exchange -> {
                requests.add(exchange.getRequestURI().getPath());
                byte[] body = String.join("\n", fileTokens).getBytes(StandardCharsets.UTF_8);
                boolean found = exchange.getRequestURI().getPath().equals("/.well-known/iploop-verification.txt");
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(found ? 200 : 404, found && body.length > 0 ? body.length : -1);
                if (found && body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
                exchange.close();
            });
            SITE.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CampaignSiteStubs() {
    }

    /** {@code host:port} of the DNS stub. */
    public static String dnsAddress() {
        return "127.0.0.1:" + DNS.getLocalPort();
    }

    /** Port of the web site stub. */
    public static int sitePort() {
        return SITE.getAddress().getPort();
    }

    private static void serveDns() {
        byte[] buffer = new byte[1500];
        while (!DNS.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                DNS.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Record question = query.getQuestion();
                Message answer = new Message(query.getHeader().getID());
                answer.getHeader().setFlag(Flags.QR);
                answer.getHeader().setFlag(Flags.AA);
                answer.addRecord(question, Section.QUESTION);
                Name name = question.getName();
                String key = name.toString(true).toLowerCase(Locale.ROOT);
                List<String> values = txt.get(key);
                if (values == null) {
                    answer.getHeader().setRcode(Rcode.NXDOMAIN);
                } else if (question.getType() == Type.TXT) {
                    for (String v : values) {
                        answer.addRecord(new TXTRecord(name, DClass.IN, 60, v), Section.ANSWER);
                    }
                }
                byte[] wire = answer.toWire();
                DNS.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (DNS.isClosed()) {
                    return;
                }
            }
        }
    }
}
