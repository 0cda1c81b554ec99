package io.iploop.server.nodes;

import java.time.Instant;
import java.util.List;

/**
 * Available proxy locations with live node counts (docs/product/nodes.md#locations-and-inventory {@code GET /api/proxy/locations}),
 * countries by descending node count. Immutable.
 *
 * @param totalNodes nodes connected now, including those of unknown country
 */
public record Locations(List<Country> countries, int totalNodes, Instant timestamp) {

    public Locations {
        countries = List.copyOf(countries);
    }

    /** A country with its connected nodes: ISO alpha-2 {@code code}, English {@code name}. */
    public record Country(String code, String name, int nodeCount, List<City> cities) {

        public Country {
            cities = List.copyOf(cities);
        }
    }

    /** A city (as reported, lower case with {@code _} for spaces in targeting) and its nodes. */
    public record City(String name, int nodeCount) {}
}
