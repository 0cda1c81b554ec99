package io.iploop.server.pool.internal;

import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.server.pool.UpstreamSpec;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses the upstream file (docs/upstream-pool.md#upstreams-import-and-reload), one upstream a line:
 * seed 004's {@code user:pass@host:port}, {@code host:port} (no credentials), and the URLs
 * {@code http://[user:pass@]host:port} and {@code socks5://[user:pass@]host:port} (user and password
 * percent-decoded in URLs). IPv6 hosts are written in brackets. Blank lines and lines starting with
 * {@code #} are ignored; surrounding white space is trimmed. Treats its input as hostile: bounded
 * line count and lengths, no control characters, strict host and port syntax; a bad line is
 * reported with its 1-based number and never guessed at. Stateless; thread-safe.
 */
final class UpstreamFileParser {

    /** Most lines a file may have (comments included). */
    static final int MAX_LINES = 100_000;
    /** Longest line, characters. */
    static final int MAX_LINE_LENGTH = 1024;
    /** Longest user name or password, characters. */
    static final int MAX_CREDENTIAL_LENGTH = 255;

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,5}");

    /** One bad line: its 1-based number and what is wrong (never the password). */
    record LineError(int line, String message) {
        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    /** The upstreams of a file, or its bad lines. Immutable. */
    record Result(List<UpstreamSpec> upstreams, List<LineError> errors) {
        Result {
            upstreams = List.copyOf(upstreams);
            errors = List.copyOf(errors);
        }

        boolean ok() {
            return errors.isEmpty();
        }
    }

    private UpstreamFileParser() {}

    /** Parses a whole file; duplicates (same upstream identity) are errors naming the first line. */
    static Result parse(String text) {
        List<UpstreamSpec> out = new ArrayList<>();
        List<LineError> errors = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String[] lines = text.split("\r\n|\n|\r", -1);
        if (lines.length > MAX_LINES) {
            return new Result(List.of(), List.of(new LineError(MAX_LINES + 1,
                    "too many lines: " + lines.length + " (expected: at most " + MAX_LINES + ")")));
        }
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String raw = lines[i];
            if (number == 1 && raw.startsWith("\uFEFF")) {
                raw = raw.substring(1);
            }
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                UpstreamSpec spec = parseLine(line);
                Integer first = seen.putIfAbsent(spec.identity(), number);
                if (first != null) {
                    errors.add(new LineError(number, "duplicate of line " + first));
                } else {
                    out.add(spec);
                }
            } catch (IllegalArgumentException e) {
                errors.add(new LineError(number, e.getMessage()));
            }
        }
        return new Result(out, errors);
    }

    /**
     * Parses one non-blank, non-comment line.
     *
     * @throws IllegalArgumentException saying what is wrong (never echoing the password)
     */
    static UpstreamSpec parseLine(String line) {
        if (line.length() > MAX_LINE_LENGTH) {
            throw new IllegalArgumentException("line too long: " + line.length() + " characters (expected: at most "
                    + MAX_LINE_LENGTH + ")");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("white space or control character at column " + (i + 1)
                        + " (expected: one upstream a line, no spaces)");
            }
        }
        PoolUpstream.Scheme scheme = PoolUpstream.Scheme.HTTP;
        String rest = line;
        boolean url = false;
        int sep = line.indexOf("://");
        if (sep >= 0) {
            String s = line.substring(0, sep).toLowerCase(Locale.ROOT);
            scheme = switch (s) {
                case "http" -> PoolUpstream.Scheme.HTTP;
                case "socks5" -> PoolUpstream.Scheme.SOCKS5;
                default -> throw new IllegalArgumentException("unknown scheme '" + abbreviate(s)
                        + "' (expected: http or socks5)");
            };
            rest = line.substring(sep + 3);
            url = true;
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
            if (rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
                throw new IllegalArgumentException("path, query or fragment in the URL (expected: scheme://[user:pass@]host:port)");
            }
        }
        @Nullable String username = null;
        @Nullable String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("credentials without ':' (expected: user:pass@host:port)");
            }
            username = credential(userInfo.substring(0, colon), url, "user name");
            password = credential(userInfo.substring(colon + 1), url, "password");
        }
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no port (expected: host:port)");
        }
        String hostPart = rest.substring(0, colon);
        String portPart = rest.substring(colon + 1);
        if (!DIGITS.matcher(portPart).matches()) {
            throw new IllegalArgumentException("port '" + abbreviate(portPart) + "' is not a number (expected: 1-65535)");
        }
        int port = Integer.parseInt(portPart);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " (expected: 1-65535)");
        }
        return new UpstreamSpec(scheme, host(hostPart), port, username, password);
    }

    private static String credential(String value, boolean url, String what) {
        String v = value;
        if (url) {
            try {
                v = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": bad percent-encoding");
            }
        }
        if (v.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty (expected: user:pass@host:port, or host:port without credentials)");
        }
        if (v.length() > MAX_CREDENTIAL_LENGTH) {
            throw new IllegalArgumentException(what + " too long: " + v.length() + " characters (expected: at most "
                    + MAX_CREDENTIAL_LENGTH + ")");
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < 0x20 || v.charAt(i) == 0x7f) {
                throw new IllegalArgumentException(what + " contains a control character");
            }
        }
        return v;
    }

    private static String host(String h) {
        if (h.isEmpty()) {
            throw new IllegalArgumentException("host is empty (expected: host:port)");
        }
        if (h.startsWith("[")) {
            if (!h.endsWith("]") || h.length() < 4) {
                throw new IllegalArgumentException("IPv6 host without closing ']' (expected: [address]:port)");
            }
            String literal = h.substring(1, h.length() - 1);
            if (!IPV6.matcher(literal).matches() || literal.indexOf(':') < 0) {
                throw new IllegalArgumentException("bad IPv6 address '" + abbreviate(literal) + "'");
            }
            try {
                return InetAddress.ofLiteral(literal).getHostAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad IPv6 address '" + abbreviate(literal) + "'");
            }
        }
        if (h.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 host must be in brackets (expected: [address]:port)");
        }
        var v4 = IPV4.matcher(h);
        if (v4.matches()) {
            for (int g = 1; g <= 4; g++) {
                if (Integer.parseInt(v4.group(g)) > 255) {
                    throw new IllegalArgumentException("bad IPv4 address '" + abbreviate(h) + "'");
                }
            }
            return h;
        }
        if (!HOST_NAME.matcher(h).matches() || h.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            throw new IllegalArgumentException("bad host '" + abbreviate(h) + "' (expected: a host name or IP address)");
        }
        return h.toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
