package io.iploop.server.campaigns.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * One campaign visit with the JDK HTTP client through the platform's gateway
 * (docs/campaigns.md#engine): GET the start page, stay {@code timeOnPage}, then follow same-site
 * links found in the HTML (no JavaScript) until {@code pages} pages were opened. Only GETs, only
 * links on the start page's scheme, host and port; redirects are not followed (an off-site redirect
 * would leave the verified domain). Every request carries the identifying {@code User-Agent} token
 * and {@code X-IPLoop-Campaign}. The browser presets are the gateway's header profiles, read from
 * its maintained list and applied here, because the gateway's own {@code profile-} parameter
 * replaces the {@code User-Agent} and would remove the token. Thread-safe (a client per visit).
 */
final class VisitClient {

    /** The documented token appended to the browser's User-Agent. */
    static final String TOKEN_PREFIX = "IPLoopSynthetic/1.0";
    /** Most bytes of a page read when looking for links. */
    static final int MAX_PAGE_BYTES = 512 * 1024;
    private static final String PROFILES = "/io/iploop/gateway/routing/header-profiles.txt";
    private static final Pattern HREF = Pattern.compile("<a\\s[^>]{0,500}?href\\s{0,5}=\\s{0,5}[\"']([^\"'#<>\\s]{1,2000})",
            Pattern.CASE_INSENSITIVE);
    private static final Map<String, List<Map.Entry<String, String>>> PRESETS = loadPresets();

    /** What a visit did. {@code country} and {@code node} are the first page's exit, when the gateway said. */
    record Outcome(boolean delivered, int pages, @Nullable String country, @Nullable String node,
            @Nullable String error) {}

    /** The request of one visit. */
    record Visit(String projectId, URI start, String country, boolean desktop, int pages, Duration timeOnPage) {}

    private final InetSocketAddress gateway;
    private final String tokenUrl;
    private final Duration timeout;
    private final @Nullable SSLContext sslContext;

    /**
     * @param sslContext the TLS context for {@code https://} sites, or null for the JDK's default
     *     (tests pass one trusting their self-signed origin)
     */
    VisitClient(InetSocketAddress gateway, String tokenUrl, Duration timeout, @Nullable SSLContext sslContext) {
        this.gateway = gateway;
        this.tokenUrl = tokenUrl;
        this.timeout = timeout;
        this.sslContext = sslContext;
    }

    /** The full User-Agent of a preset with the identifying token. */
    String userAgent(boolean desktop) {
        String browser = preset(desktop).stream().filter(e -> e.getKey().equalsIgnoreCase("User-Agent"))
                .map(Map.Entry::getValue).findFirst().orElse("Mozilla/5.0");
        return browser + " " + TOKEN_PREFIX + " (+" + tokenUrl + ")";
    }

    /** Sends one visit; never throws for network or HTTP failures (they make it undelivered). */
    Outcome visit(Visit v, String customerId, String key) throws InterruptedException {
        String password = key + (v.country().isEmpty() ? "" : "-country-" + v.country().toLowerCase(Locale.ROOT)) + "-debug-1";
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (sslContext != null) {
            builder.sslContext(sslContext);
        }
        try (HttpClient client = builder
                .proxy(ProxySelector.of(gateway))
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return getRequestorType() == RequestorType.PROXY
                                ? new PasswordAuthentication(customerId, password.toCharArray()) : null;
                    }
                })
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build()) {
            URI page = v.start();
            String country = null;
            String node = null;
            int opened = 0;
            List<URI> seen = new ArrayList<>();
            while (opened < v.pages()) {
                HttpResponse<InputStream> r;
                try {
                    r = client.send(request(v, page), HttpResponse.BodyHandlers.ofInputStream());
                } catch (IOException e) {
                    return opened == 0 ? new Outcome(false, 0, null, null, e.toString())
                            : new Outcome(true, opened, country, node, null);
                }
                String proxyError = r.headers().firstValue("X-IPLoop-Error").orElse(null);
                byte[] body;
                try (InputStream in = r.body()) {
                    body = in.readNBytes(MAX_PAGE_BYTES);
                } catch (IOException e) {
                    body = new byte[0];
                }
                if (opened == 0) {
                    if (proxyError != null || r.statusCode() == 407) {
                        return new Outcome(false, 0, null, null, r.statusCode() + " " + proxyError);
                    }
                    country = r.headers().firstValue("X-IPLoop-Country").orElse(null);
                    node = r.headers().firstValue("X-IPLoop-Node").orElse(null);
                } else if (proxyError != null) {
                    break;
                }
                opened++;
                seen.add(page);
                if (!v.timeOnPage().isZero()) {
                    Thread.sleep(v.timeOnPage());
                }
                if (opened >= v.pages()) {
                    break;
                }
                URI next = nextLink(page, new String(body, StandardCharsets.UTF_8), seen);
                if (next == null) {
                    break;
                }
                page = next;
            }
            return new Outcome(true, opened, country, node, null);
        }
    }

    private HttpRequest request(Visit v, URI page) {
        HttpRequest.Builder b = HttpRequest.newBuilder(page).GET().timeout(timeout);
        for (Map.Entry<String, String> h : preset(v.desktop())) {
            if (!h.getKey().equalsIgnoreCase("User-Agent")) {
                b.header(h.getKey(), h.getValue());
            }
        }
        return b.header("User-Agent", userAgent(v.desktop())).header("X-IPLoop-Campaign", v.projectId()).build();
    }

    /** A random same-site link of {@code html} not opened yet, else any same-site link, else null. */
    static @Nullable URI nextLink(URI base, String html, List<URI> seen) {
        List<URI> fresh = new ArrayList<>();
        List<URI> all = new ArrayList<>();
        Matcher m = HREF.matcher(html);
        while (m.find()) {
            URI u;
            try {
                u = base.resolve(m.group(1).replace("&amp;", "&"));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (sameSite(base, u)) {
                all.add(u);
                if (!seen.contains(u)) {
                    fresh.add(u);
                }
            }
        }
        List<URI> pick = fresh.isEmpty() ? all : fresh;
        return pick.isEmpty() ? null : pick.get(ThreadLocalRandom.current().nextInt(pick.size()));
    }

    static boolean sameSite(URI base, URI u) {
        return Objects.equals(base.getScheme(), u.getScheme()) && u.getHost() != null
                && u.getHost().equalsIgnoreCase(base.getHost()) && u.getPort() == base.getPort();
    }

    private static List<Map.Entry<String, String>> preset(boolean desktop) {
        return PRESETS.getOrDefault(desktop ? "chrome" : "mobile", List.of());
    }

    private static Map<String, List<Map.Entry<String, String>>> loadPresets() {
        Map<String, List<Map.Entry<String, String>>> presets = new LinkedHashMap<>();
        try (InputStream in = VisitClient.class.getResourceAsStream(PROFILES)) {
            if (in == null) {
                return presets;
            }
            List<Map.Entry<String, String>> current = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                if (l.startsWith("[") && l.endsWith("]")) {
                    current = new ArrayList<>();
                    presets.put(l.substring(1, l.length() - 1), current);
                } else if (current != null && l.indexOf(':') > 0) {
                    current.add(Map.entry(l.substring(0, l.indexOf(':')).strip(), l.substring(l.indexOf(':') + 1).strip()));
                }
            }
            return presets;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
