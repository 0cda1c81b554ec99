package io.iploop.server.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api;
import io.iploop.server.testing.CampaignSiteStubs;
import io.iploop.server.testing.PlatformTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContextManager;
import tools.jackson.databind.JsonNode;

/**
 * Property (docs/campaigns.md#settings): whatever JSON object text a customer saves as a project's
 * settings (random key order, whitespace, unicode written raw or as {@code \\u} escapes, surrogate
 * pairs, {@code \\u0000}, number spellings, nesting, unknown fields next to {@code urls}), POST and
 * PUT store it and GET returns exactly the same characters. This is why the column is {@code json}:
 * with {@code jsonb} PostgreSQL would reorder keys, drop whitespace and rewrite escapes, and this
 * property fails.
 *
 * <p>Driven like {@code CashoutLedgerPropertiesIT}: jqwik runs no Spring extension, so Spring's
 * {@link TestContextManager} finds the shared platform's cached context and {@link Api} is bound to it.
 */
@PlatformTest
class ProjectSettingsRoundTripPropertiesIT {

    private static final TestContextManager SPRING = new TestContextManager(ProjectSettingsRoundTripPropertiesIT.class);
    private static final List<String> WHITESPACE = List.of("", "", " ", "  ", "\n", "\r\n", "\t", " \n  ");
    private static String token;
    private static String domain;

    @BeforeProperty
    void wireSpring() throws Exception {
        SPRING.prepareTestInstance(this);
        ApplicationContext context = SPRING.getTestContext().getApplicationContext();
        Api.bind(context);
        if (token == null) {
            JsonNode c = Api.registerCustomer();
            token = Api.token(c);
            domain = "roundtrip-" + UUID.randomUUID().toString().substring(0, 8) + ".example";
            Api.Response claim = Api.call("POST", "/api/projects/domains", token, Map.of("domain", domain));
            CampaignSiteStubs.txt.put(domain, List.of(claim.body().at("/dnsRecord/value").asString()));
            Api.Response verified = Api.call("POST", "/api/projects/domains/" + claim.body().get("id").asString() + "/verify",
                    token, null);
            assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        }
    }

    @Property(tries = 60)
    void settingsComeBackByteForByte(@ForAll("settings") String created, @ForAll("settings") String updated) throws Exception {
        HttpResponse<String> post = send("POST", "/api/projects", "{\"name\":\"round trip\",\"settings\":" + created + "}");
        assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
        assertThat(post.body()).contains("\"settings\":" + created);
        String id = Api.bean(tools.jackson.databind.json.JsonMapper.class).readTree(post.body()).get("id").asString();
        assertThat(send("GET", "/api/projects/" + id, null).body()).contains("\"settings\":" + created);

        HttpResponse<String> put = send("PUT", "/api/projects/" + id,
                "{ \"settings\" :" + updated + ", \"name\": \"round trip 2\" }");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(send("GET", "/api/projects/" + id, null).body()).contains("\"settings\":" + updated);
        assertThat(send("DELETE", "/api/projects/" + id, null).statusCode()).isEqualTo(204);
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + path))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return Api.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A settings object: random unknown members around the {@code urls} member the API requires. */
    @Provide
    Arbitrary<String> settings() {
        Arbitrary<String> member = Arbitraries.lazy(() -> Arbitraries.oneOf(jsonString(), number(), literal(), array(1),
                object(1))).flatMap(v -> Arbitraries.oneOf(jsonString().filter(k -> !k.contains("urls")),
                        Arbitraries.just("\"x\"")).flatMap(k -> ws().flatMap(w1 -> ws().map(w2 -> k + w1 + ":" + w2 + v))));
        return Arbitraries.integers().between(0, 5).flatMap(n -> member.list().ofSize(n).flatMap(members ->
                Arbitraries.integers().between(0, n).flatMap(at -> ws().flatMap(w -> ws().map(w2 -> {
                    List<String> all = new ArrayList<>(members);
                    all.add(at, "\"urls\"" + w + ":" + w2 + "[\"https://" + domain + "/" + "\"]");
                    return "{" + w + String.join("," + w2, all) + w2 + "}";
                })))));
    }

    private static Arbitrary<String> ws() {
        return Arbitraries.of(WHITESPACE);
    }

    private static Arbitrary<String> literal() {
        return Arbitraries.of("true", "false", "null");
    }

    private static Arbitrary<String> number() {
        return Arbitraries.of("0", "-0", "1", "70", "1.50", "1e3", "2.5E-3", "-12345678901234567890", "0.000");
    }

    private static Arbitrary<String> array(int depth) {
        Arbitrary<String> element = depth > 0 ? Arbitraries.oneOf(jsonString(), number(), literal(), object(depth - 1))
                : Arbitraries.oneOf(jsonString(), number(), literal());
        return element.list().ofMaxSize(3).flatMap(items -> ws().map(w -> "[" + w + String.join("," + w, items) + "]"));
    }

    private static Arbitrary<String> object(int depth) {
        Arbitrary<String> value = depth > 0 ? Arbitraries.oneOf(jsonString(), number(), literal(), array(depth - 1))
                : Arbitraries.oneOf(jsonString(), number(), literal());
        Arbitrary<String> member = jsonString().flatMap(k -> value.flatMap(v -> ws().map(w -> k + w + ":" + v)));
        return member.list().ofMaxSize(3).uniqueElements(m -> m.substring(0, m.indexOf("\":") + 1))
                .flatMap(ms -> ws().map(w -> "{" + w + String.join("," + w, ms) + w + "}"));
    }

    /** A JSON string literal: code points from ASCII, Latin, CJK, emoji and controls, raw or escaped. */
    private static Arbitrary<String> jsonString() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(0x20, 0x7e)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xa0, 0x24f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x4e00, 0x4fff)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x1f600, 0x1f64f)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x00, 0x1f)));
        Arbitrary<String> piece = codePoint.flatMap(cp -> Arbitraries.of(true, false).map(escape -> encode(cp, escape)));
        return piece.list().ofMaxSize(8).map(ps -> "\"" + String.join("", ps) + "\"");
    }

    private static String encode(int cp, boolean escape) {
        if (cp == '"' || cp == '\\') {
            return "\\" + (char) cp;
        }
        if (escape || cp < 0x20) {
            StringBuilder sb = new StringBuilder();
            for (char ch : Character.toChars(cp)) {
                sb.append(String.format("\\u%04x", (int) ch));
            }
            return sb.toString();
        }
        return new String(Character.toChars(cp));
    }
}
