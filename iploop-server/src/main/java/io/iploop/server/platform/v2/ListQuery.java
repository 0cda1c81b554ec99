package io.iploop.server.platform.v2;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A parsed and validated {@code /api/v2} query string (docs/product/api.md#api-v2):
 * {@code ?page=1&limit=20&sort=created_at&order=desc&fields=id,name&status=active}. Built by the
 * platform from the handler's {@link V2List} or {@link V2Get} declaration before the handler runs, so
 * a handler only sees values it declared. Immutable.
 *
 * @param page 1-based page number (1 for a single object)
 * @param limit items per page, 1 to the endpoint's maximum
 * @param sort a whitelisted sort field, camelCase ({@code ""} for a single object)
 * @param ascending sort order
 * @param filters declared filter name (camelCase) to its non-blank value, only those present
 * @param fields the selected fields in request order; empty selects every field
 */
public record ListQuery(int page, int limit, String sort, boolean ascending, Map<String, String> filters,
        List<String> fields) {

    /** Query parameters every list endpoint understands. */
    public static final List<String> LIST_PARAMETERS = List.of("page", "limit", "sort", "order", "fields");

    /** Highest page number accepted: keeps {@code offset} far below overflow. */
    public static final int MAX_PAGE = 1_000_000;

    public ListQuery {
        filters = Map.copyOf(filters);
        fields = List.copyOf(fields);
    }

    /** Items skipped before this page. */
    public long offset() {
        return (long) (page - 1) * limit;
    }

    /** The value of filter {@code name} (camelCase), or null when absent. */
    public @Nullable String filter(String name) {
        return filters.get(name);
    }

    /**
     * Filters, sorts and pages a bounded in-memory list (an account's API keys or node keys, never
     * an unbounded table: push those into SQL). Ties keep the input order.
     *
     * @param sorters sort field to the key it sorts by (nulls last in either order); must cover every
     *     declared sort field
     * @param matchers filter name to a predicate of (item, filter value); must cover every declared filter
     */
    public <T> Paged<T> apply(List<T> all, Map<String, Function<T, ? extends @Nullable Comparable<?>>> sorters,
            Map<String, BiPredicate<T, String>> matchers) {
        List<T> matching = new ArrayList<>();
        for (T item : all) {
            boolean keep = true;
            for (Map.Entry<String, String> f : filters.entrySet()) {
                BiPredicate<T, String> m = matchers.get(f.getKey());
                if (m == null) {
                    throw new IllegalStateException("no matcher for declared filter " + f.getKey());
                }
                keep &= m.test(item, f.getValue());
            }
            if (keep) {
                matching.add(item);
            }
        }
        if (!sort.isEmpty()) {
            Function<T, ? extends @Nullable Comparable<?>> key = sorters.get(sort);
            if (key == null) {
                throw new IllegalStateException("no sorter for declared sort field " + sort);
            }
            matching.sort((a, b) -> compare(key.apply(a), key.apply(b), ascending));
        }
        int from = (int) Math.min(offset(), matching.size());
        int to = (int) Math.min(offset() + limit, matching.size());
        return new Paged<>(matching.subList(from, to), matching.size());
    }

    /** Compares sort keys of one field (same type), nulls last in either order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(@Nullable Comparable a, @Nullable Comparable b, boolean ascending) {
        if (a == null || b == null) {
            return a == b ? 0 : a == null ? 1 : -1;
        }
        int c = a.compareTo(b);
        return ascending ? c : -c;
    }

    /** The query of a list endpoint; see {@link #parse(Spec, Map)}. */
    public static ListQuery parseList(V2List list, Collection<String> handlerParameters, Map<String, String[]> query) {
        return parse(Spec.of(list, handlerParameters), query);
    }

    /** The query of a single-object endpoint; see {@link #parse(Spec, Map)}. */
    public static ListQuery parseGet(V2Get get, Collection<String> handlerParameters, Map<String, String[]> query) {
        return parse(Spec.of(get, handlerParameters), query);
    }

    /**
     * Parses {@code query} (as {@link jakarta.servlet.ServletRequest#getParameterMap()}) against
     * {@code spec}. Parameter names, sort values and field names are accepted in camelCase or
     * snake_case.
     *
     * @throws V2QueryException naming the first parameter at fault: unknown, repeated, or out of range
     */
    public static ListQuery parse(Spec spec, Map<String, String[]> query) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> e : query.entrySet()) {
            String name = camel(e.getKey());
            boolean known = spec.handlerParameters.contains(e.getKey()) || spec.handlerParameters.contains(name)
                    || spec.filters.contains(name) || name.equals("fields")
                    || (spec.list && LIST_PARAMETERS.contains(name));
            if (!known) {
                throw V2QueryException.unknown(e.getKey(), String.join(", ", spec.accepted()));
            }
            if (e.getValue().length > 1) {
                throw V2QueryException.invalid(e.getKey(), "given " + e.getValue().length + " times (expected: once)");
            }
            if (!spec.handlerParameters.contains(e.getKey())) {
                values.put(name, e.getValue().length == 0 ? "" : e.getValue()[0].strip());
            }
        }
        int page = 1;
        int limit = spec.defaultLimit;
        String sort = spec.sorts.isEmpty() ? "" : spec.sorts.getFirst();
        boolean ascending = spec.ascending;
        if (values.containsKey("page")) {
            page = integer("page", values.get("page"), 1, MAX_PAGE);
        }
        if (values.containsKey("limit")) {
            limit = integer("limit", values.get("limit"), 1, spec.maxLimit);
        }
        if (values.containsKey("sort")) {
            sort = camel(values.get("sort"));
            if (!spec.sorts.contains(sort)) {
                throw V2QueryException.invalid("sort", "'" + values.get("sort") + "' (expected one of: "
                        + String.join(", ", spec.sorts) + ")");
            }
        }
        if (values.containsKey("order")) {
            String order = values.get("order").toLowerCase(Locale.ROOT);
            if (!order.equals("asc") && !order.equals("desc")) {
                throw V2QueryException.invalid("order", "'" + values.get("order") + "' (expected: asc or desc)");
            }
            ascending = order.equals("asc");
        }
        List<String> fields = new ArrayList<>();
        if (values.containsKey("fields") && !values.get("fields").isEmpty()) {
            Set<String> selected = new LinkedHashSet<>();
            List<String> unknown = new ArrayList<>();
            for (String f : values.get("fields").split(",")) {
                String name = camel(f.strip());
                if (name.isEmpty()) {
                    continue;
                }
                if (spec.fields.contains(name)) {
                    selected.add(name);
                } else {
                    unknown.add(f.strip());
                }
            }
            if (!unknown.isEmpty()) {
                throw V2QueryException.invalid("fields", "unknown field(s) " + String.join(", ", unknown)
                        + " (expected: " + String.join(", ", spec.fields) + ")");
            }
            fields.addAll(selected);
        }
        Map<String, String> filters = new LinkedHashMap<>();
        for (String f : spec.filters) {
            String v = values.get(f);
            if (v != null && !v.isEmpty()) {
                filters.put(f, v);
            }
        }
        return new ListQuery(page, limit, sort, ascending, filters, fields);
    }

    private static int integer(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw V2QueryException.invalid(name, "'" + value + "' (expected: an integer from " + min + " to " + max + ")");
    }

    /** {@code created_at} → {@code createdAt}; camelCase stays as it is. */
    static String camel(String name) {
        if (name.indexOf('_') < 0) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (c == '_') {
                upper = sb.length() > 0;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    /**
     * What one endpoint accepts, from its {@link V2List} or {@link V2Get}. Immutable.
     *
     * @param list true for a list endpoint (page, limit, sort, order accepted)
     * @param fields selectable fields: the record components of the item type
     * @param filters declared filters
     * @param sorts whitelisted sort fields, default first
     * @param handlerParameters the handler's own {@code @RequestParam} names, passed through untouched
     */
    public record Spec(boolean list, List<String> fields, List<String> filters, List<String> sorts, boolean ascending,
            int defaultLimit, int maxLimit, Set<String> handlerParameters) {

        public Spec {
            fields = List.copyOf(fields);
            filters = List.copyOf(filters);
            sorts = List.copyOf(sorts);
            handlerParameters = Set.copyOf(handlerParameters);
            if (list && sorts.isEmpty()) {
                throw new IllegalArgumentException("sort: empty (expected: at least the default sort field)");
            }
            if (defaultLimit < 1 || defaultLimit > maxLimit) {
                throw new IllegalArgumentException("defaultLimit: " + defaultLimit + " (expected: 1.." + maxLimit + ")");
            }
        }

        static Spec of(V2List a, Collection<String> handlerParameters) {
            return new Spec(true, components(a.value()), Arrays.asList(a.filters()), Arrays.asList(a.sort()),
                    a.ascending(), a.defaultLimit(), a.maxLimit(), Set.copyOf(handlerParameters));
        }

        static Spec of(V2Get a, Collection<String> handlerParameters) {
            return new Spec(false, components(a.value()), List.of(), List.of(), true, 1, 1, Set.copyOf(handlerParameters));
        }

        /** Every parameter name accepted, for error messages. */
        List<String> accepted() {
            List<String> all = new ArrayList<>(list ? LIST_PARAMETERS : List.of("fields"));
            all.addAll(filters);
            all.addAll(handlerParameters);
            return all;
        }

        private static List<String> components(Class<? extends Record> type) {
            return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
        }
    }
}
