package io.iploop.node.cli;

import io.iploop.node.ActiveHours;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.egress.EgressPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The settings {@code proxyclaw config set} accepts, each with its validation. A setting named
 * {@code device-name} is stored under that name in {@code config.properties} and can be
 * overridden by the environment variable {@code PROXYCLAW_DEVICE_NAME}. Immutable.
 */
enum Setting {

    GATEWAY("gateway", "tunnel endpoint of the gateway, ws://host:8001/ws or wss://host/ws", Setting::gatewayUri),
    API_URL("api-url", "control plane the device registers with on start, http(s)://host:8080 "
            + "(default http://127.0.0.1:8080 with the default gateway, else none)", Setting::apiUrl),
    DEVICE_NAME("device-name", "a name for this device, shown in the dashboard (1-100 characters)", v -> text(v, 100)),
    COUNTRY("country", "self-reported country, ISO 3166-1 alpha-2 (US, DE); a gateway GeoIP database overrides it", Setting::country),
    REGION("region", "self-reported state or region (1-100 characters)", v -> text(v, 100)),
    CITY("city", "self-reported city (1-100 characters)", v -> text(v, 100)),
    ASN("asn", "self-reported autonomous system number, e.g. 7922 or AS7922", Setting::asn),
    ISP("isp", "self-reported internet provider (1-100 characters)", v -> text(v, 100)),
    CONNECTION_TYPE("connection-type", "wifi, cellular or ethernet", Setting::connectionType),
    BANDWIDTH_LIMIT_MBPS("bandwidth-limit-mbps",
            "bandwidth to share, 1-10000 Mbps (in each direction)", Setting::bandwidthLimit),
    BLOCKED_DOMAINS("blocked-domains",
            "extra destinations this node refuses, comma-separated domains (subdomains included)", Setting::domains),
    BLOCKED_CIDRS("blocked-cidrs", "extra address blocks this node refuses, comma-separated CIDRs", Setting::cidrs),
    DRAIN_TIMEOUT("drain-timeout", "seconds open streams may keep running after a stop is requested, 0-3600 (default "
            + EffectiveConfig.DEFAULT_DRAIN_SECONDS + ")", Setting::drainSeconds),
    ALLOWED_PORTS("allowed-ports", "destination ports this node opens: all, or ports and ranges such as 80,443,8000-9000 "
            + "(default " + EffectiveConfig.DEFAULT_ALLOWED_PORTS + ")", Setting::allowedPorts),
    ACTIVE_HOURS("active-hours", "when this node shares, local time: always (default), or rules such as "
            + "'mon-fri 18:00-23:30; sat,sun 08:00-23:00'", Setting::activeHours),
    MONTHLY_DATA_CAP_GB("monthly-data-cap-gb",
            "traffic to share per calendar month, 1-1000000 GB (both directions; resets on the 1st)", Setting::dataCap),
    GATEWAY_CA("gateway-ca", "for a wss:// gateway: PEM file of the certificates to trust (its CA, or its self-signed "
            + "certificate) instead of the system trust store", Setting::caFile),
    METRICS("metrics", "serve Prometheus metrics on http://ADDRESS/metrics: off (default), a port (on 127.0.0.1) "
            + "or host:port such as 0.0.0.0:9464", Setting::metricsAddress);

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private final String settingName;
    private final String description;
    private final UnaryOperator<String> normalizer;

    Setting(String settingName, String description, UnaryOperator<String> normalizer) {
        this.settingName = settingName;
        this.description = description;
        this.normalizer = normalizer;
    }

    /** The name used on the command line and in {@code config.properties}. */
    String settingName() {
        return settingName;
    }

    String description() {
        return description;
    }

    /** {@code PROXYCLAW_} plus the name in upper case with underscores. */
    String envVar() {
        return "PROXYCLAW_" + name();
    }

    /**
     * The canonical form of {@code raw}.
     *
     * @throws IllegalArgumentException with a message that starts with {@code source}, e.g.
     *     {@code "country: 'XX' (expected: ISO 3166-1 alpha-2 code such as US or DE)"}
     */
    String normalize(String source, String raw) {
        try {
            return normalizer.apply(raw.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": '" + raw + "' " + e.getMessage(), e);
        }
    }

    static Optional<Setting> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.settingName.equals(name)).findFirst();
    }

    /** {@code gateway, device-name, …} for error messages. */
    static String names() {
        return Arrays.stream(values()).map(Setting::settingName).collect(Collectors.joining(", "));
    }

    /** Splits a comma-separated list setting; empty for null or blank. */
    static List<String> list(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String gatewayUri(String v) {
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("(expected: ws://host:8001/ws or wss://host/ws; " + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("(expected: a ws:// or wss:// URI such as ws://host:8001/ws)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("(expected: a host, as in ws://host:8001/ws)");
        }
        if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("(expected: no user info, query or fragment)");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/ws" : uri.getRawPath();
        return scheme + "://" + uri.getRawAuthority() + path;
    }

    private static String apiUrl(String v) {
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("(expected: http(s)://host:port; " + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("(expected: an http:// or https:// URL such as https://api.example)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty() || uri.getUserInfo() != null || uri.getQuery() != null
                || uri.getFragment() != null) {
            throw new IllegalArgumentException("(expected: http(s)://host[:port][/path], no user info, query or fragment)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return scheme + "://" + uri.getRawAuthority() + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    }

    private static String text(String v, int maxChars) {
        if (v.isEmpty() || v.length() > maxChars) {
            throw new IllegalArgumentException("(expected: 1-" + maxChars + " characters)");
        }
        if (v.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("(expected: no control characters)");
        }
        if (v.getBytes(StandardCharsets.UTF_8).length > Hello.MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("(expected: at most " + Hello.MAX_FIELD_BYTES + " bytes of UTF-8)");
        }
        return v;
    }

    private static String country(String v) {
        String upper = v.toUpperCase(Locale.ROOT);
        if (!COUNTRIES.contains(upper)) {
            throw new IllegalArgumentException("(expected: ISO 3166-1 alpha-2 country code such as US or DE)");
        }
        return upper;
    }

    private static String asn(String v) {
        String digits = v.regionMatches(true, 0, "AS", 0, 2) ? v.substring(2) : v;
        try {
            long asn = Long.parseLong(digits);
            if (asn >= 1 && asn <= Integer.MAX_VALUE) {
                return Long.toString(asn);
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("(expected: an AS number 1-" + Integer.MAX_VALUE + ", e.g. 7922 or AS7922)");
    }

    private static String connectionType(String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.equals("wifi") && !lower.equals("cellular") && !lower.equals("ethernet")) {
            throw new IllegalArgumentException("(expected: wifi, cellular or ethernet)");
        }
        return lower;
    }

    /** {@code off}, or {@code host:port} (a bare port listens on loopback only). */
    private static String metricsAddress(String v) {
        if (v.equalsIgnoreCase("off")) {
            return "off";
        }
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : v.substring(0, colon);
        String port = colon < 0 ? v : v.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535 && !host.isBlank()) {
                return host + ":" + p;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("(expected: off, a port 1-65535, or host:port such as 127.0.0.1:9464)");
    }

    private static String drainSeconds(String v) {
        try {
            int seconds = Integer.parseInt(v);
            if (seconds >= 0 && seconds <= 3600) {
                return Integer.toString(seconds);
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("(expected: a whole number of seconds, 0-3600)");
    }

    private static String allowedPorts(String v) {
        return PortPolicy.parse(v).toString();
    }

    private static String activeHours(String v) {
        return ActiveHours.parse(v).toString();
    }

    private static String dataCap(String v) {
        try {
            int gb = Integer.parseInt(v);
            if (gb >= 1 && gb <= 1_000_000) {
                return Integer.toString(gb);
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("(expected: a whole number of GB, 1-1000000)");
    }

    private static String bandwidthLimit(String v) {
        try {
            int mbps = Integer.parseInt(v);
            if (mbps >= 1 && mbps <= 10_000) {
                return Integer.toString(mbps);
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("(expected: a whole number of Mbps, 1-10000)");
    }

    /** An absolute path of a readable file holding at least one PEM (or DER) X.509 certificate. */
    private static String caFile(String v) {
        Path file = Path.of(v).toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IllegalArgumentException("(expected: a PEM file with at least one certificate)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("(expected: a readable PEM certificate file; " + e + ")");
        } catch (CertificateException e) {
            throw new IllegalArgumentException("(expected: a PEM certificate file; " + e.getMessage() + ")");
        }
        return file.toString();
    }

    private static String domains(String v) {
        List<String> domains = list(v);
        for (String d : domains) {
            if (!d.matches("[A-Za-z0-9.-]{1,253}") || d.startsWith(".") || d.contains("..")) {
                throw new IllegalArgumentException("(expected: comma-separated domain names; bad: " + d + ")");
            }
        }
        return String.join(",", domains);
    }

    private static String cidrs(String v) {
        List<String> cidrs = list(v);
        try {
            new EgressPolicy(false, List.of(), cidrs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("(expected: comma-separated CIDRs such as 203.0.113.0/24; " + e.getMessage() + ")");
        }
        return String.join(",", cidrs);
    }
}
