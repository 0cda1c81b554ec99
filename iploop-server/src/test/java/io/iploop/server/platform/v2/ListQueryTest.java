package io.iploop.server.platform.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ListQueryTest {

    record Item(String id, String name, @Nullable Instant seenAt, boolean active) {}

    private static final ListQuery.Spec LIST = new ListQuery.Spec(true, List.of("id", "name", "seenAt", "active"),
            List.of("status", "countryCode"), List.of("name", "seenAt"), true, 20, 100, Set.of("days"));
    private static final ListQuery.Spec GET = new ListQuery.Spec(false, List.of("id", "name"), List.of(), List.of(),
            true, 1, 1, Set.of());

    private static Map<String, String[]> query(String... pairs) {
        Map<String, String[]> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.merge(pairs[i], new String[] {pairs[i + 1]}, (a, b) -> {
                String[] c = Arrays.copyOf(a, a.length + 1);
                c[a.length] = b[0];
                return c;
            });
        }
        return m;
    }

    private static String fieldOf(Map<String, String[]> q, ListQuery.Spec spec) {
        try {
            ListQuery.parse(spec, q);
        } catch (V2QueryException e) {
            return e.field() + "/" + e.code();
        }
        throw new AssertionError("accepted: " + q.keySet());
    }

    @Test
    void defaultsWhenNothingIsGiven() {
        ListQuery q = ListQuery.parse(LIST, Map.of());
        assertThat(q.page()).isEqualTo(1);
        assertThat(q.limit()).isEqualTo(20);
        assertThat(q.sort()).isEqualTo("name");
        assertThat(q.ascending()).isTrue();
        assertThat(q.filters()).isEmpty();
        assertThat(q.fields()).isEmpty();
        assertThat(q.offset()).isZero();
    }

    @Test
    void parsesEveryParameterInCamelOrSnakeCase() {
        ListQuery q = ListQuery.parse(LIST, query("page", "3", "limit", "100", "sort", "seen_at", "order", "DESC",
                "fields", "name, seen_at,name", "country_code", "US", "status", " ", "days", "7"));
        assertThat(q.page()).isEqualTo(3);
        assertThat(q.limit()).isEqualTo(100);
        assertThat(q.offset()).isEqualTo(200);
        assertThat(q.sort()).isEqualTo("seenAt");
        assertThat(q.ascending()).isFalse();
        assertThat(q.fields()).containsExactly("name", "seenAt");
        assertThat(q.filters()).isEqualTo(Map.of("countryCode", "US")); // blank filter = no filter
    }

    @Test
    void badValuesNameTheirParameter() {
        assertThat(fieldOf(query("page", "0"), LIST)).isEqualTo("page/invalid_parameter");
        assertThat(fieldOf(query("page", "x"), LIST)).isEqualTo("page/invalid_parameter");
        assertThat(fieldOf(query("limit", "101"), LIST)).isEqualTo("limit/invalid_parameter");
        assertThat(fieldOf(query("limit", "0"), LIST)).isEqualTo("limit/invalid_parameter");
        assertThat(fieldOf(query("limit", "99999999999"), LIST)).isEqualTo("limit/invalid_parameter");
        assertThat(fieldOf(query("sort", "id"), LIST)).isEqualTo("sort/invalid_parameter");
        assertThat(fieldOf(query("order", "up"), LIST)).isEqualTo("order/invalid_parameter");
        assertThat(fieldOf(query("fields", "id,password"), LIST)).isEqualTo("fields/invalid_parameter");
        assertThat(fieldOf(query("limit", "5", "limit", "6"), LIST)).isEqualTo("limit/invalid_parameter");
        assertThat(fieldOf(query("colour", "red"), LIST)).isEqualTo("colour/unknown_parameter");
        assertThat(fieldOf(query("page", "1"), GET)).isEqualTo("page/unknown_parameter");
        assertThat(fieldOf(query("status", "a"), GET)).isEqualTo("status/unknown_parameter");
    }

    @Test
    void unknownFieldsAreListedInTheMessage() {
        assertThatThrownBy(() -> ListQuery.parse(LIST, query("fields", "id,password,salt")))
                .hasMessageContaining("password, salt").hasMessageContaining("expected: id, name, seenAt, active");
    }

    @Test
    void appliesFiltersSortAndPageToABoundedList() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<Item> items = List.of(new Item("1", "delta", t, true), new Item("2", "alpha", null, false),
                new Item("3", "charlie", t.plusSeconds(5), true), new Item("4", "bravo", t.minusSeconds(5), true));
        Map<String, Function<Item, ? extends @Nullable Comparable<?>>> sorters = Map.of("name", Item::name,
                "seenAt", Item::seenAt);
        Map<String, BiPredicate<Item, String>> matchers = Map.of("status",
                (i, v) -> i.active() == v.equals("active"), "countryCode", (i, v) -> true);

        Paged<Item> byName = ListQuery.parse(LIST, query("limit", "3")).apply(items, sorters, matchers);
        assertThat(byName.items()).extracting(Item::name).containsExactly("alpha", "bravo", "charlie");
        assertThat(byName.total()).isEqualTo(4);
        Paged<Item> page2 = ListQuery.parse(LIST, query("limit", "3", "page", "2")).apply(items, sorters, matchers);
        assertThat(page2.items()).extracting(Item::name).containsExactly("delta");
        Paged<Item> beyond = ListQuery.parse(LIST, query("limit", "3", "page", "9")).apply(items, sorters, matchers);
        assertThat(beyond.items()).isEmpty();
        assertThat(beyond.total()).isEqualTo(4);

        Paged<Item> seenDesc = ListQuery.parse(LIST, query("sort", "seenAt", "order", "desc")).apply(items, sorters,
                matchers);
        assertThat(seenDesc.items()).extracting(Item::id).containsExactly("3", "1", "4", "2"); // null last
        Paged<Item> seenAsc = ListQuery.parse(LIST, query("sort", "seenAt")).apply(items, sorters, matchers);
        assertThat(seenAsc.items()).extracting(Item::id).containsExactly("4", "1", "3", "2"); // null last too

        Paged<Item> active = ListQuery.parse(LIST, query("status", "active")).apply(items, sorters, matchers);
        assertThat(active.items()).extracting(Item::name).containsExactly("bravo", "charlie", "delta");
        assertThat(active.total()).isEqualTo(3);
    }

    @Test
    void aSpecWithoutSortOrWithABadDefaultLimitIsAProgrammingError() {
        assertThatThrownBy(() -> new ListQuery.Spec(true, List.of("id"), List.of(), List.of(), true, 20, 100, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListQuery.Spec(true, List.of("id"), List.of(), List.of("id"), true, 200, 100,
                Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void envelopeErrorShapeFollowsThePath() {
        var error = io.iploop.server.platform.ApiError.of("x", "y", null);
        assertThat(Envelope.errorFor("/api/v2/nodes", error)).isInstanceOf(Envelope.class);
        assertThat(Envelope.errorFor("/api/v2", error)).isInstanceOf(Envelope.class);
        assertThat(Envelope.errorFor("/api/v21/nodes", error)).isSameAs(error);
        assertThat(Envelope.errorFor("/api/nodes", error)).isSameAs(error);
    }
}
