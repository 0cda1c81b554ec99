package io.iploop.gateway.http;

import io.iploop.gateway.proxy.TargetHosts;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;

/**
 * The destination of a proxy request: {@code CONNECT host:port} (RFC 9110 §9.3.6 authority-form)
 * or an absolute-form {@code http://host[:port]/path} (RFC 9112 §3.2.2). Parsed without regular
 * expressions. Immutable.
 *
 * @param host host name or IP literal (IPv6 without brackets), as sent
 * @param port 1-65535
 * @param originForm the request target to send to the origin ({@code /path?query}); empty for CONNECT
 * @param authority {@code host[:port]} as sent, for a missing {@code Host} header
 */
record HttpProxyTarget(String host, int port, String originForm, String authority) {

    /** The destination key of an exit stream. */
    String key() {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** A malformed destination (host or port): answered with {@code invalid_target}. */
    static final class InvalidTargetException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidTargetException(String message) {
            super(message);
        }
    }

    /**
     * @throws InvalidTargetException when the host or port is malformed (RFC 3986 §3.2)
     * @throws IllegalArgumentException for another unusable request target; messages are for the customer
     */
    static HttpProxyTarget of(HttpRequest request) {
        String uri = request.uri();
        if (HttpMethod.CONNECT.equals(request.method())) {
            if (uri.indexOf('@') >= 0) {
                throw new InvalidTargetException("request target: user info is not allowed in a CONNECT authority (expected: host:port)");
            }
            return authority(uri, -1, "");
        }
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int start = 7;
            int end = start;
            while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
                end++;
            }
            String path = uri.substring(end);
            int hash = path.indexOf('#');
            if (hash >= 0) {
                path = path.substring(0, hash);
            }
            if (path.isEmpty()) {
                path = "/";
            } else if (path.charAt(0) == '?') {
                path = "/" + path;
            }
            String auth = uri.substring(start, end);
            if (auth.indexOf('@') >= 0) {
                throw new InvalidTargetException("request target: user info in the URL is not supported");
            }
            return authority(auth, 80, path);
        }
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            throw new IllegalArgumentException("request target: https URLs go through CONNECT (expected: http://... or CONNECT host:port)");
        }
        String shown = uri.length() > 64 ? uri.substring(0, 64) + "..." : uri;
        throw new IllegalArgumentException("request target '" + shown + "' is not absolute-form; this is a proxy"
                + " (expected: http://host/path, or CONNECT host:port)");
    }

    private static HttpProxyTarget authority(String auth, int defaultPort, String originForm) {
        if (auth.isEmpty() || auth.length() > 261) {
            throw new InvalidTargetException("request target: missing or overlong host (expected: host:port)");
        }
        String host;
        String portText;
        if (auth.charAt(0) == '[') {
            int close = auth.indexOf(']');
            if (close < 0) {
                throw new InvalidTargetException("request target: unclosed IPv6 literal (expected: [addr]:port)");
            }
            host = auth.substring(1, close);
            String rest = auth.substring(close + 1);
            if (rest.isEmpty()) {
                portText = null;
            } else if (rest.charAt(0) == ':') {
                portText = rest.substring(1);
            } else {
                throw new InvalidTargetException("request target: junk after IPv6 literal (expected: [addr]:port)");
            }
        } else {
            int colon = auth.lastIndexOf(':');
            if (colon >= 0) {
                host = auth.substring(0, colon);
                portText = auth.substring(colon + 1);
            } else {
                host = auth;
                portText = null;
            }
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new InvalidTargetException("request target: CONNECT needs a port (expected: host:port)");
            }
            port = defaultPort;
        } else {
            port = parsePort(portText);
        }
        if (host.isEmpty()) {
            throw new InvalidTargetException("request target: empty host (expected: host:port)");
        }
        String problem = auth.charAt(0) == '[' ? TargetHosts.ipv6Problem(host) : TargetHosts.hostNameProblem(host);
        if (problem != null) {
            throw new InvalidTargetException("request target: " + problem);
        }
        return new HttpProxyTarget(host, port, originForm, auth);
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            throw new InvalidTargetException("request target: port '" + s + "' (expected: 1-65535)");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidTargetException("request target: port is not a number (expected: 1-65535)");
            }
            v = v * 10 + (c - '0');
        }
        if (v < 1 || v > 65535) {
            throw new InvalidTargetException("request target: port " + v + " (expected: 1-65535)");
        }
        return v;
    }
}
