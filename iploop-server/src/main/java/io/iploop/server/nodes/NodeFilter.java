package io.iploop.server.nodes;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Filters and page of {@code GET /api/nodes} (docs/product/nodes.md#node-list-and-filters: country, status, connection
 * type, search by IP or device id). A null filter matches everything. Immutable; the constructor
 * validates and normalises.
 *
 * @param country ISO-3166 alpha-2, any case
 * @param status {@code available}, {@code busy}, {@code inactive} (alias {@code offline}), {@code banned},
 *     {@code paused} or {@code removed} (the state lists show, see {@code NodeView#status})
 * @param connectionType {@code wifi}, {@code cellular} or {@code ethernet}
 * @param search a substring of the device id or the IP address, case-insensitive
 * @param page 1-based page number
 * @param limit nodes per page, 1 to {@link #MAX_LIMIT}
 * @param sort one of {@link #SORTS} ({@code /api/v2/nodes}); ties broken by id
 * @param ascending sort order
 * @throws NodesException {@code INVALID_FILTER} naming the field at fault
 */
public record NodeFilter(@Nullable String country, @Nullable String status, @Nullable String connectionType,
        @Nullable String search, int page, int limit, String sort, boolean ascending) {

    /** Sort fields, camelCase as in {@link NodeView}; the default, {@code createdAt}, first. */
    public static final List<String> SORTS = List.of("createdAt", "lastHeartbeat", "deviceId",
            "country", "status", "qualityScore", "bandwidthBytes");

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    /** Every node, first page. */
    public static final NodeFilter ALL = new NodeFilter(null, null, null, null, 1, MAX_LIMIT);

    /** Oldest first, as {@code GET /api/nodes} (v1) lists them. */
    public NodeFilter(@Nullable String country, @Nullable String status, @Nullable String connectionType,
            @Nullable String search, int page, int limit) {
        this(country, status, connectionType, search, page, limit, "createdAt", true);
    }

    private static final Set<String> STATUSES = Set.of("available", "busy", "inactive", "banned", "paused", "removed");
    private static final Set<String> CONNECTION_TYPES = Set.of("wifi", "cellular", "ethernet");

    public NodeFilter {
        country = blankToNull(country);
        if (country != null) {
            if (!country.matches("[A-Za-z]{2}")) {
                throw invalid("country", country, "ISO-3166 alpha-2, e.g. US");
            }
            country = country.toUpperCase(Locale.ROOT);
        }
        status = blankToNull(status);
        if (status != null) {
            status = status.toLowerCase(Locale.ROOT);
            status = "offline".equals(status) ? "inactive" : status;
            if (!STATUSES.contains(status)) {
                throw invalid("status", status, "available, busy, inactive, offline, banned, paused or removed");
            }
        }
        connectionType = blankToNull(connectionType);
        if (connectionType != null) {
            connectionType = connectionType.toLowerCase(Locale.ROOT);
            if (!CONNECTION_TYPES.contains(connectionType)) {
                throw invalid("connectionType", connectionType, "wifi, cellular or ethernet");
            }
        }
        search = blankToNull(search);
        if (search != null && search.length() > 128) {
            throw invalid("search", search.substring(0, 20) + "…", "at most 128 characters");
        }
        if (page < 1) {
            throw invalid("page", Integer.toString(page), ">= 1");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw invalid("limit", Integer.toString(limit), "1 to " + MAX_LIMIT);
        }
        if (!SORTS.contains(sort)) {
            throw invalid("sort", sort, String.join(", ", SORTS));
        }
    }

    /** Rows skipped before this page. */
    public long offset() {
        return (long) (page - 1) * limit;
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static NodesException invalid(String field, String value, String expected) {
        return new NodesException(NodesException.Reason.INVALID_FILTER,
                field + ": '" + value + "' (expected: " + expected + ")", field);
    }
}
