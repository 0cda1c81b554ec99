package io.iploop.server.platform;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.CashoutFixtures.credit;
import static io.iploop.server.testing.CashoutFixtures.request;
import static io.iploop.server.testing.CashoutFixtures.usdt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.billing.BillingService;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CampaignSiteStubs;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.StripeStub;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The tenancy guarantee (docs/product/api.md#conventions): with two accounts A and B, each owning
 * an API key, a node key,
 * a node (an earn device), usage, a login session, a cash-out and a saved payment method, B calling any endpoint that takes an id in its path with A's id answers 404 and
 * changes nothing A can see, and no list B can read contains any of A's identifiers.
 *
 * <p>The endpoints come from Spring's {@link RequestMappingHandlerMapping}: every {@code /api/} mapping with a
 * {@code {…}} path variable outside {@code /api/admin/**} and {@code /api/v2/admin/**} (admin routes are
 * cross-tenant by design). A new id endpoint without a line in {@code cases(…)} fails
 * {@link #everyIdEndpointHasATenancyCase()}. Adding one is one line: {@code tenant("METHOD /path/{id}",
 * owned, body)} where {@code owned} says how A's id is found and which of A's reads must stay the same
 * (add an {@link Owned} in {@link #setUp()} for a new kind of object), or {@code notTenantData(…)} with
 * the reason for a public route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
@ExtendWith(PayPalStub.class)
class TenancyIT {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;
    @Autowired
    UsageSink usageSink;
    @Autowired
    DataPlane dataPlane;
    @Autowired
    NotificationsService notifications;
    @Autowired
    BillingService billing;
    @Autowired
    AccountsService accounts;

    /** One account and the identifiers of what it owns. */
    private record Tenant(String token, String userId, String customerId, String email, String apiKeyId,
            String apiKeyPrefix, String nodeKeyId, String nodeKeyPrefix, String deviceId, String nodeId,
            String usageId, String usageHost, String sessionId, String cashoutId, String paymentMethodId) {

        /** Every identifier that must never show up in another tenant's responses. */
        List<String> identifiers() {
            return List.of(userId, customerId, email, apiKeyId, apiKeyPrefix, nodeKeyId, nodeKeyPrefix, deviceId, nodeId,
                    usageId, usageHost, sessionId, cashoutId, paymentMethodId);
        }
    }

    /**
     * A kind of object of A's named by a path variable: A's id, the GETs (as A, {@code {id}}
     * replaced by the id) whose answers must be the same before and after B's call, and the fields
     * that change by themselves (clocks, counters) and are left out of that comparison.
     */
    private record Owned(String name, String id, List<String> reads, Set<String> changingFields) {

        Owned(String name, String id, List<String> reads) {
            this(name, id, reads, Set.of());
        }
    }

    /** What B's call must do: 404 and A's reads unchanged, or nothing (public data). */
    private record Case(@Nullable Owned owned, @Nullable Object body, @Nullable String publicBecause) {}

    private final List<NodeAgent> agents = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private Tenant a;
    private Tenant b;
    private final Map<String, Case> cases = new LinkedHashMap<>();

    @BeforeAll
    void setUp() throws Exception {
        a = tenant("a");
        b = tenant("b");
        Owned apiKey = new Owned("A's API key", a.apiKeyId(), List.of("/api/proxy/keys/{id}", "/api/proxy/keys"));
        Owned nodeKey = new Owned("A's node key", a.nodeKeyId(), List.of("/api/v2/nodes/keys/{id}", "/api/nodes/keys"));
        Owned session = new Owned("A's login session", a.sessionId(), List.of("/api/auth/sessions"),
                Set.of("lastActiveAt"));
        Owned device = new Owned("A's device (node)", a.nodeId(), List.of("/api/earn/devices"),
                Set.of("uptimeSeconds", "connectedSince", "bytesToday", "bytesTotal", "creditsToday", "creditsTotal"));
        Owned cashout = new Owned("A's cash-out", a.cashoutId(),
                List.of("/api/earn/cashout/{id}", "/api/earn/cashout/history", "/api/earn/balance"));
        Owned paymentMethod = new Owned("A's saved payment method", a.paymentMethodId(),
                List.of("/api/earn/payment-methods"));
        Response hook = call("POST", "/api/webhooks", a.token(), Map.of("url", "http://127.0.0.1:9/tenancy",
                "eventTypes", List.of("cashout.status_changed")));
        assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
        webhook = new Owned("A's webhook endpoint", hook.body().at("/endpoint/id").asString(),
                List.of("/api/webhooks/{id}", "/api/webhooks", "/api/webhooks/{id}/deliveries"));
        Response topUp = call("POST", "/api/billing/top-ups", a.token(), Map.of("packageId", "credits-5"));
        assertThat(topUp.status()).as(topUp.toString()).isEqualTo(201);
        invoice = new Owned("A's invoice", topUp.body().at("/invoice/id").asString(), List.of("/api/billing/invoices"));
        cases(apiKey, nodeKey, session, device, cashout, paymentMethod);
    }

    /** A credit note of A's: a second top-up, paid and partly refunded by the platform's admin (docs/billing.md#refunds). */
    private Owned creditNoteOfA() {
        Response topUp = call("POST", "/api/billing/top-ups", a.token(), Map.of("packageId", "credits-5"));
        assertThat(topUp.status()).as(topUp.toString()).isEqualTo(201);
        UUID invoiceId = UUID.fromString(topUp.body().at("/invoice/id").asString());
        UUID admin = accounts.firstAdmin().orElseThrow().id();
        billing.markPaid(admin, invoiceId, "TENANCY");
        return new Owned("A's credit note", billing.refund(admin, invoiceId, 100, "tenancy case", null).id().toString(),
                List.of("/api/billing/credit-notes"));
    }

    /** A's webhook endpoint, for the webhook routes. */
    private Owned webhook;

    /** A's open invoice (a top-up request), for the billing routes. */
    private Owned invoice;

    /** The table: one line per id endpoint ("METHOD pattern" exactly as Spring maps it). */
    private void cases(Owned apiKey, Owned nodeKey, Owned session, Owned device, Owned cashout, Owned paymentMethod) {
        tenant("GET /api/proxy/keys/{keyId}", apiKey, null);
        tenant("PATCH /api/proxy/keys/{keyId}", apiKey, Map.of("isActive", false));
        tenant("DELETE /api/proxy/keys/{keyId}", apiKey, null);
        tenant("PUT /api/proxy/keys/{keyId}/whitelist", apiKey, Map.of("ips", List.of("203.0.113.9")));
        tenant("POST /api/proxy/keys/{keyId}/rotate", apiKey, null);
        tenant("GET /api/v2/proxy/keys/{keyId}", apiKey, null);
        tenant("GET /api/v2/nodes/keys/{keyId}", nodeKey, null);
        tenant("DELETE /api/auth/sessions/{id}", session, null);
        tenant("POST /api/earn/devices/{id}/pause", device, null);
        tenant("POST /api/earn/devices/{id}/resume", device, null);
        tenant("PATCH /api/earn/devices/{id}", device, Map.of("name", "taken-over"));
        tenant("DELETE /api/earn/devices/{id}", device, null);
        tenant("GET /api/earn/cashout/{id}", cashout, null);
        tenant("POST /api/earn/cashout/{id}/confirm", cashout, Map.of("code", "123456"));
        tenant("DELETE /api/earn/cashout/{id}", cashout, null);
        tenant("POST /api/earn/payment-methods/{id}/verify", paymentMethod, Map.of("code", "123456"));
        tenant("DELETE /api/earn/payment-methods/{id}", paymentMethod, null);
        notTenantData("GET /api/proxy/locations/{country}", "network-wide counts of connected nodes, public");
        notTenantData("GET /api/proxy/locations/{country}/{city}/isps", "network-wide ISP counts, public");
        tenant("DELETE /api/nodes/keys/{id}", nodeKey, null);
        tenant("GET /api/webhooks/{id}", webhook, null);
        tenant("PATCH /api/webhooks/{id}", webhook, Map.of("enabled", false));
        tenant("DELETE /api/webhooks/{id}", webhook, null);
        tenant("POST /api/webhooks/{id}/rotate-secret", webhook, null);
        tenant("PUT /api/webhooks/{id}", webhook, Map.of("enabled", false));
        tenant("POST /api/webhooks/{id}/regenerate-secret", webhook, null);
        tenant("POST /api/webhooks/{id}/test", webhook, null);
        tenant("GET /api/webhooks/{id}/deliveries", webhook, null);
        tenant("POST /api/webhooks/{id}/events/{eventId}/resend", webhook, null);
        Owned notification = new Owned("A's notification", notifications.notify(
                UUID.fromString(a.userId()), "tenancy", "for A only", "tenancy", null).id().toString(),
                List.of("/api/notifications", "/api/notifications?unread=true"));
        tenant("POST /api/notifications/{id}/read", notification, null);
        tenant("PUT /api/notifications/{id}/read", notification, null);
        tenant("GET /api/billing/invoices/{id}/pdf", invoice, null);
        tenant("GET /api/billing/credit-notes/{id}/pdf", creditNoteOfA(), null);
        tenant("GET /api/earn/devices/{id}/traffic", device, null);
        tenant("GET /api/earn/devices/{id}/reconciliation", device, null);
        tenant("DELETE /api/proxy/sessions/{id}", stickySessionOfA(), null);
        Response sub = call("POST", "/api/sub-users", a.token(), Map.of("name", "tenancy_" + run));
        assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
        Owned subUser = new Owned("A's sub-user", sub.body().at("/subUser/id").asString(),
                List.of("/api/sub-users/{id}", "/api/sub-users"));
        tenant("GET /api/sub-users/{id}", subUser, null);
        tenant("PUT /api/sub-users/{id}", subUser, Map.of("trafficLimitBytes", 1000));
        tenant("DELETE /api/sub-users/{id}", subUser, null);
        tenant("POST /api/sub-users/{id}/enable", subUser, null);
        tenant("POST /api/sub-users/{id}/disable", subUser, null);
        String site = "tenancy-" + run + ".example";
        Response claim = call("POST", "/api/projects/domains", a.token(), Map.of("domain", site));
        assertThat(claim.status()).as(claim.toString()).isEqualTo(201);
        CampaignSiteStubs.txt.put(site, List.of(claim.body().at("/dnsRecord/value").asString()));
        Owned domain = new Owned("A's campaign domain", claim.body().get("id").asString(),
                List.of("/api/projects/domains/{id}", "/api/projects/domains"));
        Response verified = call("POST", "/api/projects/domains/" + domain.id() + "/verify", a.token(), null);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        Response project = call("POST", "/api/projects", a.token(), Map.of("name", "tenancy " + run,
                "settings", Map.of("urls", List.of("https://" + site + "/"))));
        assertThat(project.status()).as(project.toString()).isEqualTo(201);
        Owned campaign = new Owned("A's campaign project", project.body().get("id").asString(),
                List.of("/api/projects/{id}", "/api/projects"));
        tenant("GET /api/projects/{id}", campaign, null);
        tenant("PUT /api/projects/{id}", campaign, Map.of("name", "taken over", "status", "paused",
                "settings", Map.of("urls", List.of("https://" + site + "/"))));
        tenant("GET /api/projects/{id}/live-stream", campaign, null);
        tenant("DELETE /api/projects/{id}", campaign, null);
        tenant("GET /api/projects/domains/{id}", domain, null);
        tenant("POST /api/projects/domains/{id}/verify", domain, null);
        tenant("DELETE /api/projects/domains/{id}", domain, null);
        Owned card = cardOfA();
        tenant("DELETE /api/billing/payment-methods/{id}", card, null);
        tenant("PUT /api/billing/payment-methods/{id}/default", card, null);
    }

    /**
     * A card saved on A's Stripe customer (docs/billing.md#payment-methods), with the Stripe stand-in
     * answering for it as Stripe does.
     */
    private Owned cardOfA() {
        String customer = "cus_tenancy" + run;
        String card = "pm_1Tenancy" + run;
        StripeStub.STRIPE.stubFor(WireMock.post(WireMock.urlEqualTo("/v1/customers"))
                .withRequestBody(WireMock.containing("metadata[userId]=" + a.userId())).willReturn(stripeJson("""
                        {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":null,
                         "email":"a@example.com","livemode":false,"metadata":{},"name":null,
                         "invoice_settings":{"default_payment_method":"%s"}}""".formatted(customer, card))));
        StripeStub.STRIPE.stubFor(WireMock.get(WireMock.urlPathEqualTo("/v1/customers/" + customer)).willReturn(stripeJson("""
                {"id":"%s","object":"customer","balance":0,"created":1764547200,"currency":null,"email":"a@example.com",
                 "livemode":false,"metadata":{},"name":null,"invoice_settings":{"default_payment_method":"%s"}}"""
                .formatted(customer, card))));
        String method = """
                {"id":"%s","object":"payment_method","card":{"brand":"visa","exp_month":4,"exp_year":2031,
                 "last4":"1111"},"created":1764547200,"customer":"%s","livemode":false,"metadata":{},"type":"card"}"""
                .formatted(card, customer);
        StripeStub.STRIPE.stubFor(WireMock.get(WireMock.urlPathEqualTo("/v1/payment_methods/" + card))
                .willReturn(stripeJson(method)));
        StripeStub.STRIPE.stubFor(WireMock.get(WireMock.urlPathEqualTo("/v1/customers/" + customer + "/payment_methods"))
                .willReturn(stripeJson("{\"object\":\"list\",\"data\":[" + method + "],\"has_more\":false}")));
        Response saved = call("POST", "/api/billing/payment-methods", a.token(), Map.of("paymentMethodId", card));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(201);
        return new Owned("A's saved card", card, List.of("/api/billing/payment-methods"));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder stripeJson(String body) {
        return WireMock.aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Request-Id", "req_tenancy").withBody(body);
    }

    /** A's sticky session, made through the proxy with a key of A's (the exit is one of the FR nodes). */
    private Owned stickySessionOfA() {
        String session = "tenancy" + run;
        try (TestOrigin origin = TestOrigin.http()) {
            String key = call("POST", "/api/proxy/keys", a.token(), Map.of("name", "tenancy-sticky")).body().get("key").asString();
            Curl.Result r = Curl.run("-x", "http://" + a.customerId() + ":" + key + "-country-fr-session-" + session
                    + "-sesstype-sticky-lifetime-30m@127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy(), origin.url("/bytes/10"));
            assertThat(r.status()).as("A's sticky request").isEqualTo(200);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Owned("A's sticky session", session, List.of("/api/proxy/sessions"), Set.of("nodeAgeSeconds"));
    }

    private void tenant(String endpoint, Owned owned, @Nullable Object body) {
        cases.put(endpoint, new Case(owned, body, null));
    }

    private void notTenantData(String endpoint, String reason) {
        cases.put(endpoint, new Case(null, null, reason));
    }

    /** A fresh account with an API key, a node key, a connected node and a usage record. */
    private Tenant tenant(String label) throws Exception {
        JsonNode customer = registerUnlimitedCustomer();
        String token = token(customer);
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        JsonNode key = call("POST", "/api/proxy/keys", token, Map.of("name", "tenancy-" + label)).body();
        JsonNode nodeKey = call("POST", "/api/nodes/keys", token, Map.of("name", "tenancy-" + label)).body();
        String deviceId = "tenancy-" + run + "-" + label;
        int hub = dataPlane.ports().orElseThrow().nodeHub();
        NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + hub + "/ws"),
                nodeKey.get("key").asString(), deviceId, deviceId, "FR", null, null, 0, null, "wifi", false, true,
                List.of(), List.of(), TunnelSettings.DEFAULTS));
        agent.start();
        agents.add(agent);
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                call("GET", "/api/v2/nodes?status=available", token, null).body().at("/meta/total").asLong() == 1);
        String nodeId = call("GET", "/api/v2/nodes", token, null).body().at("/data/0/id").asString();
        UUID usageId = UUID.randomUUID();
        String host = "tenancy-" + run + "-" + label + ".example";
        Instant now = Instant.now();
        usageSink.write(List.of(new UsageRecord(usageId, userId, UUID.fromString(key.get("id").asString()), null, null,
                100, 10, 1, "FR", null, host, "http", true, null, now.minusSeconds(5), now, 200)));
        String sessionId = call("GET", "/api/auth/sessions", token, null).body().at("/sessions/0/id").asString();
        credit(userId, 10_000);
        String cashoutId = request(new Operator(token, userId, customer.at("/user/email").asString()), usdt("5.00"))
                .get("id").asString();
        Response method = call("POST", "/api/earn/payment-methods", token, Map.of("method", "paypal",
                "details", Map.of("email", "tenancy-" + label + "@example.com")));
        assertThat(method.status()).as(method.toString()).isEqualTo(201);
        return new Tenant(token, userId.toString(), customer.at("/user/customerId").asString(),
                customer.at("/user/email").asString(), key.get("id").asString(), key.get("keyPrefix").asString(),
                nodeKey.get("id").asString(), nodeKey.get("keyPrefix").asString(), deviceId, nodeId,
                usageId.toString(), host, sessionId, cashoutId, method.body().get("id").asString());
    }

    @AfterAll
    void stopAgents() {
        agents.forEach(NodeAgent::close);
    }

    /** "METHOD pattern" of every mapping matching {@code filter}; a mapping without methods is "ANY". */
    private Set<String> endpoints(boolean withPathVariables) {
        Set<String> found = new TreeSet<>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                // Dashboard page routes (cookie and CSRF, not bearer) call the same scoped service
                // methods as the REST routes proved here.
                if (pattern.contains("{") != withPathVariables || !pattern.startsWith("/api/")
                        || pattern.startsWith("/api/admin/")
                        || pattern.startsWith("/api/v2/admin/")) {
                    continue;
                }
                if (methods.isEmpty()) {
                    found.add("ANY " + pattern);
                }
                methods.forEach(m -> found.add(m.name() + " " + pattern));
            }
        });
        return found;
    }

    @Test
    void everyIdEndpointHasATenancyCase() {
        Set<String> discovered = endpoints(true);
        assertThat(discovered).as("mappings with path variables (is the handler mapping read at all?)")
                .contains("GET /api/proxy/keys/{keyId}");
        Set<String> missing = new TreeSet<>(discovered);
        missing.removeAll(cases.keySet());
        assertThat(missing).as("id endpoints without a line in TenancyIT.cases(): add tenant(\"…\", owned, body) "
                + "or notTenantData(\"…\", reason)").isEmpty();
        Set<String> stale = new TreeSet<>(cases.keySet());
        stale.removeAll(discovered);
        assertThat(stale).as("TenancyIT.cases() lines for endpoints that no longer exist").isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> anotherTenantsIdAnswers404AndChangesNothing() {
        return cases.entrySet().stream().filter(e -> e.getValue().owned() != null).map(e -> DynamicTest.dynamicTest(
                e.getKey(), () -> {
                    String method = e.getKey().substring(0, e.getKey().indexOf(' '));
                    String pattern = e.getKey().substring(method.length() + 1);
                    Owned owned = java.util.Objects.requireNonNull(e.getValue().owned());
                    Map<String, String> before = reads(owned);
                    assertThat(before.values()).as("A reads its own " + owned.name()).allMatch(r -> r.startsWith("200 "));

                    String path = pattern.replaceAll("\\{[^}]+}", owned.id());
                    Response r = call(method.equals("ANY") ? "GET" : method, path, b.token(), e.getValue().body());
                    assertThat(r.status()).as("B " + method + " " + path + ": " + r.body()).isEqualTo(404);
                    if (path.startsWith("/api/v2/")) {
                        assertThat(r.body().get("success").asBoolean()).isFalse();
                    }
                    assertThat(r.body().toString()).doesNotContain(a.customerId(), a.email());
                    assertThat(reads(owned)).as("what A sees after B's " + method + " " + path).isEqualTo(before);
                }));
    }

    /** A's answers to the reads of {@code owned}, as "status body". */
    private Map<String, String> reads(Owned owned) {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String read : owned.reads()) {
            String path = read.replace("{id}", owned.id());
            Response r = call("GET", path, a.token(), null);
            answers.put(path, r.status() + " " + without(r.body(), owned.changingFields()));
        }
        return answers;
    }

    /** A copy of {@code node} without the named fields, at any depth. */
    private static JsonNode without(JsonNode node, Set<String> fields) {
        JsonNode copy = node.deepCopy();
        strip(copy, fields);
        return copy;
    }

    private static void strip(JsonNode node, Set<String> fields) {
        if (node instanceof tools.jackson.databind.node.ObjectNode o) {
            o.remove(fields);
        }
        node.forEach(child -> strip(child, fields));
    }

    @Test
    void listsNeverShowAnotherTenantsRows() {
        Set<String> lists = endpoints(false).stream().filter(e -> e.startsWith("GET /api/"))
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        assertThat(lists).contains("GET /api/proxy/keys", "GET /api/nodes", "GET /api/usage/recent",
                "GET /api/audit-logs", "GET /api/v2/proxy/keys", "GET /api/v2/nodes", "GET /api/v2/usage/recent",
                "GET /api/auth/sessions", "GET /api/earn/devices");
        StringBuilder seenByA = new StringBuilder();
        for (String endpoint : lists) {
            String path = endpoint.substring("GET ".length());
            // raw text: some lists are CSV or YAML, and an identifier must not appear in any form
            String body = send("GET", path, b.token(), null, Map.of()).body();
            for (String id : a.identifiers()) {
                assertThat(body).as("B's " + path + " shows A's " + id).doesNotContain(id);
            }
            seenByA.append(send("GET", path, a.token(), null, Map.of()).body());
        }
        // the same scan sees each of A's identifiers as A, so the check above can fail
        for (String id : a.identifiers()) {
            assertThat(seenByA.toString()).as("A's own lists show " + id).contains(id);
        }
    }
}
