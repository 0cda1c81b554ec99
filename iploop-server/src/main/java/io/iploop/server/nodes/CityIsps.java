package io.iploop.server.nodes;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * ISPs of one city with connected nodes (docs/product/nodes.md#locations-and-inventory {@code GET /api/proxy/locations/:country/:city/isps}),
 * most nodes first. Immutable.
 *
 * @param city as targeted: lower case with {@code _} for spaces
 */
public record CityIsps(String country, String city, int nodeCount, List<Isp> isps) {

    public CityIsps {
        isps = List.copyOf(isps);
    }

    /** An ISP ({@code null} name when not reported) and its autonomous system (0 when unknown). */
    public record Isp(@Nullable String name, int asn, int nodeCount) {}
}
