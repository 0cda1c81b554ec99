package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignDomainsService;
import io.iploop.server.egress.BlocklistEntry;
import io.iploop.server.egress.EgressBlocklistService;
import io.iploop.server.platform.IploopProperties;
import io.iploop.tunnel.egress.EgressDeniedException;
import io.iploop.tunnel.egress.EgressPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Checks that a claimed domain carries its token (docs/campaigns.md#domain-verification): first a DNS
 * TXT record {@code iploop-verification=<token>} on the domain itself (dnsjava, asking the configured
 * resolver or the system's), then the file {@value CampaignDomainsService#WELL_KNOWN_PATH} over https,
 * then http, whose body has the token as one of its lines. The file is fetched only after the egress
 * policy of the exits (docs/security.md#exits-the-data-plane) and the admin blocklist allowed every
 * address the name resolves to; redirects are not followed and at most 4 KiB are read. Thread-safe.
 */
@Component
class DomainVerifier {

    static final int MAX_FILE_BYTES = 4096;

    /** The outcome: the method that carried the token, or null with what each method found. */
    record Result(@Nullable String method, String detail) {

        boolean verified() {
            return method != null;
        }
    }

    private final CampaignsSettings settings;
    private final IploopProperties properties;
    private final EgressBlocklistService blocklist;
    private final List<Integer> protectedPorts;
    private final HttpClient http;

    DomainVerifier(CampaignsSettings settings, IploopProperties properties, EgressBlocklistService blocklist,
            Environment env) {
        this.settings = settings;
        this.properties = properties;
        this.blocklist = blocklist;
        this.protectedPorts = List.of(properties.proxyPort(), properties.socksPort(), properties.nodeHubPort(),
                env.getProperty("server.port", Integer.class, 8080));
        this.http = HttpClient.newBuilder().connectTimeout(settings.checkTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Result check(String domain, String token) {
        String dns = dns(domain, token);
        if (dns == null) {
            return new Result("dns", "TXT record found");
        }
        List<String> found = new ArrayList<>();
        found.add("DNS: " + dns);
        for (String scheme : List.of("https", "http")) {
            int port = scheme.equals("https") ? settings.verificationHttpsPort() : settings.verificationHttpPort();
            if (port <= 0) {
                continue;
            }
            String file = file(scheme, domain, port, token);
            if (file == null) {
                return new Result("file", "verification file found");
            }
            found.add(scheme + " file: " + file);
        }
        return new Result(null, String.join("; ", found));
    }

    /** Null if a TXT record of {@code domain} is {@code iploop-verification=<token>}, else what was found. */
    private @Nullable String dns(String domain, String token) {
        String expected = "iploop-verification=" + token;
        try {
            Name name = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
            Message response = resolver().send(Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN)));
            int rcode = response.getRcode();
            if (rcode != Rcode.NOERROR) {
                return "no TXT record (" + Rcode.string(rcode) + ")";
            }
            int txt = 0;
            for (Record r : response.getSection(Section.ANSWER)) {
                if (r instanceof TXTRecord t) {
                    txt++;
                    if (String.join("", t.getStrings()).strip().equals(expected)) {
                        return null;
                    }
                }
            }
            return txt == 0 ? "no TXT record" : txt + " TXT record(s), none is " + expected;
        } catch (TextParseException e) {
            return "not a DNS name";
        } catch (IOException e) {
            return "DNS lookup failed (" + e.getMessage() + ")";
        }
    }

    private Resolver resolver() throws UnknownHostException {
        Resolver r;
        String configured = settings.dnsResolver().strip();
        if (configured.isEmpty()) {
            r = new ExtendedResolver();
        } else {
            int colon = configured.lastIndexOf(':');
            String host = colon > 0 ? configured.substring(0, colon) : configured;
            int port = colon > 0 ? Integer.parseInt(configured.substring(colon + 1)) : 53;
            r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(host), port));
        }
        r.setTimeout(settings.checkTimeout());
        return r;
    }

    /** Null if the file at {@code scheme://domain:port} has the token as one of its lines, else why not. */
    private @Nullable String file(String scheme, String domain, int port, String token) {
        String denial = denial(domain, port);
        if (denial != null) {
            return "not fetched: " + denial;
        }
        boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
        URI uri = URI.create(scheme + "://" + domain + (defaultPort ? "" : ":" + port)
                + CampaignDomainsService.WELL_KNOWN_PATH);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.checkTimeout())
                .header("User-Agent", "IPLoopVerifier/1.0").GET().build();
        try {
            HttpResponse<InputStream> res = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] head;
            try (InputStream in = res.body()) {
                head = in.readNBytes(MAX_FILE_BYTES);
            }
            if (res.statusCode() != 200) {
                return "HTTP " + res.statusCode();
            }
            String body = new String(head, StandardCharsets.UTF_8);
            return body.lines().map(String::strip).anyMatch(token::equals) ? null : "the file does not contain the token";
        } catch (IOException e) {
            return "not reachable (" + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Null if the egress policy allows every address {@code host} resolves to, on {@code port}. */
    private @Nullable String denial(String host, int port) {
        List<String> domains = new ArrayList<>();
        List<String> cidrs = new ArrayList<>();
        for (BlocklistEntry e : blocklist.list()) {
            if (e.port() != null && e.port() != port) {
                continue;
            }
            if (e.host() != null) {
                domains.add(e.host());
            } else if (e.cidr() != null) {
                cidrs.add(e.cidr());
            }
        }
        EgressPolicy policy = new EgressPolicy(properties.egressAllowLoopback(), domains, cidrs)
                .withProtectedLocalPorts(protectedPorts);
        String portDenial = policy.checkPort(port);
        if (portDenial != null) {
            return portDenial;
        }
        try {
            policy.resolve(host, port);
            for (InetAddress address : InetAddress.getAllByName(host)) {
                String d = policy.checkAddress(address);
                if (d == null) {
                    d = policy.checkLocalPort(address, port);
                }
                if (d != null) {
                    return host + " resolves to a forbidden address: " + d;
                }
            }
            return null;
        } catch (EgressDeniedException e) {
            return e.getMessage();
        } catch (UnknownHostException e) {
            return "host " + host + " does not resolve";
        }
    }
}
