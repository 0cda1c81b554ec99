package io.iploop.gateway.error;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Builds the HTTP answer for a {@link ProxyError}: status, {@code X-IPLoop-Error},
 * RFC 9209 {@code Proxy-Status}, {@code Proxy-Authenticate} for 407, {@code X-IPLoop-Alternatives}
 * for 503, {@code Retry-After} for 429, and a short plain-text body. Stateless, thread-safe.
 */
public final class ProxyErrorResponses {

    /** Header naming the cause of a refused request (docs/product/proxy.md#error-responses). */
    public static final String ERROR_HEADER = "X-IPLoop-Error";
    /** Header listing targeting values that would match now, for 503. */
    public static final String ALTERNATIVES_HEADER = "X-IPLoop-Alternatives";
    /** RFC 9209 header. */
    public static final String PROXY_STATUS_HEADER = "Proxy-Status";
    /** The {@code Proxy-Status} proxy name. */
    public static final String PROXY_NAME = "iploop";

    private static final int MAX_DETAIL_CHARS = 300;

    private ProxyErrorResponses() {}

    /**
     * A complete answer that asks the client to close the connection.
     *
     * @param detail short explanation for the customer, e.g. the parameter at fault
     * @param alternatives for {@link ProxyError#NO_MATCHING_EXIT}; may be empty
     * @param retryAfter for 429 errors (defaults to 1 s), and 503 and {@link ProxyError#LOCKED_OUT}
     *     errors that know when to come back (none when null), else ignored
     */
    public static FullHttpResponse http(
            ByteBufAllocator alloc, ProxyError error, String detail, List<String> alternatives, @Nullable Duration retryAfter) {
        String safe = sanitize(detail);
        String text = error.status().code() + " " + error.status().reasonPhrase() + ": " + safe + "\n";
        ByteBuf body = alloc.buffer(text.length());
        body.writeCharSequence(text, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, error.status(), body);
        HttpHeaders h = response.headers();
        h.set("Content-Type", "text/plain; charset=utf-8");
        h.setInt("Content-Length", body.readableBytes());
        h.set("Connection", HttpHeaderValues.CLOSE);
        h.set(ERROR_HEADER, error.code());
        h.set(PROXY_STATUS_HEADER, proxyStatus(error, safe));
        if (error.status().code() == 407) {
            h.set("Proxy-Authenticate", "Basic realm=\"IPLoop\"");
        }
        if (error == ProxyError.NO_MATCHING_EXIT && !alternatives.isEmpty()) {
            h.set(ALTERNATIVES_HEADER, String.join(", ", alternatives.stream().map(ProxyErrorResponses::sanitize).toList()));
        }
        if (error.status().code() == 429 || ((error.status().code() == 503 || error == ProxyError.LOCKED_OUT) && retryAfter != null)) {
            long seconds = retryAfter == null ? 1 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            h.set("Retry-After", Long.toString(seconds));
        }
        return response;
    }

    /**
     * RFC 9209 §2: {@code iploop; error=<type>; details="<text>"} with the text as an sf-string,
     * and for {@code dns_error} the §2.3.2 {@code rcode}, e.g.
     * {@code iploop; error=dns_error; rcode="NXDOMAIN"; details="..."}.
     */
    public static String proxyStatus(ProxyError error, String detail) {
        StringBuilder sb = new StringBuilder(PROXY_NAME).append("; error=").append(error.proxyStatusError());
        if (error.dnsRcode() != null) {
            sb.append("; rcode=\"").append(error.dnsRcode()).append('"');
        }
        if (!detail.isEmpty()) {
            sb.append("; details=\"");
            for (int i = 0; i < detail.length(); i++) {
                char c = detail.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        }
        return sb.toString();
    }

    /** Printable ASCII only (header-safe, RFC 8941 sf-string), at most 300 characters. */
    static String sanitize(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_DETAIL_CHARS));
        for (int i = 0; i < s.length() && sb.length() < MAX_DETAIL_CHARS; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
