package io.iploop.gateway.http;

import io.iploop.gateway.exit.ExitInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/** Header rules of the HTTP proxy: hop-by-hop removal (RFC 9110 §7.6.1) and debug headers. Stateless. */
final class HttpProxyHeaders {

    /**
     * The IP-authorised access override of targeting (docs/ip-authorised-access.md): meant for this
     * proxy only, like {@code Proxy-Authorization}, so never forwarded.
     */
    static final String TARGETING = "X-IPLoop-Targeting";

    private static final List<CharSequence> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION, "keep-alive", HttpHeaderNames.PROXY_AUTHORIZATION,
            "proxy-connection", HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, TARGETING);

    /**
     * Set to {@code 1} on a response that came from a second exit after the first was blocked
     * ({@code rotate-on-block}, docs/rotate-on-block.md#headers).
     */
    static final String ROTATED = "X-IPLoop-Rotated";

    private HttpProxyHeaders() {}

    /**
     * Removes hop-by-hop headers, the headers named in {@code Connection} and {@link #TARGETING}. Transfer-Encoding
     * stays: the codecs re-frame the body accordingly on the next hop.
     */
    static void stripHopByHop(HttpHeaders headers) {
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",", 32)) {
                String name = token.strip();
                if (!name.isEmpty()
                        && !name.equalsIgnoreCase("transfer-encoding")
                        && !name.equalsIgnoreCase("content-length")
                        && !name.equalsIgnoreCase("host")) {
                    headers.remove(name);
                }
            }
        }
        for (CharSequence name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /**
     * Adds the {@code -debug-1} headers (never the node's private identity:
     * docs/product/proxy.md#debug).
     */
    static void addDebug(HttpHeaders headers, ExitInfo exit) {
        headers.set("X-IPLoop-Node", exit.nodeId() == null ? "direct" : exit.nodeId().toString());
        if (exit.country() != null) {
            headers.set("X-IPLoop-Country", exit.country());
        }
        if (exit.city() != null) {
            headers.set("X-IPLoop-City", exit.city());
        }
        if (exit.asn() > 0) {
            headers.set("X-IPLoop-ASN", Integer.toString(exit.asn()));
        }
        if (exit.session() != null) {
            headers.set("X-IPLoop-Session", exit.session());
        }
    }
}
