package io.iploop.server.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CashoutFixtures;
import io.iploop.server.testing.Mailbox;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Signed webhooks end to end (docs/integrations/webhooks.md): a customer registers an endpoint on a
 * local WireMock receiver, and the receiver gets events signed per Standard Webhooks, checked here
 * with an implementation of the spec of its own; failures are retried, logged and finally disable
 * the endpoint with a mail; private destinations are refused.
 */
@PlatformTest
class WebhooksIT {

    static final WireMockServer RECEIVER = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .bindAddress("127.0.0.1"));

    static {
        RECEIVER.start();
    }

    @AfterAll
    static void stop() {
        RECEIVER.resetAll();
    }

    private record Customer(String token, String email) {}

    private static Customer customer() {
        JsonNode login = registerCustomer();
        return new Customer(token(login), login.at("/user/email").asString());
    }

    private static String hookPath() {
        return "/hook-" + UUID.randomUUID();
    }

    private static JsonNode create(Customer c, String path) {
        return create(c, path, "cashout.status_changed");
    }

    private static JsonNode create(Customer c, String path, String type) {
        Response r = call("POST", "/api/webhooks", c.token(), Map.of("url", RECEIVER.baseUrl() + path,
                "eventTypes", List.of(type), "description", "test receiver"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body();
    }

    private static List<LoggedRequest> received(String path) {
        return RECEIVER.findAll(postRequestedFor(urlEqualTo(path)));
    }

    /** Standard Webhooks verification, written from the spec and independent of the server's signer. */
    private static boolean verifies(String secret, LoggedRequest r) throws Exception {
        String id = r.getHeader("webhook-id");
        String timestamp = r.getHeader("webhook-timestamp");
        if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.split("_", 2)[1]), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(
                mac.doFinal((id + "." + timestamp + "." + r.getBodyAsString()).getBytes(StandardCharsets.UTF_8)));
        for (String candidate : r.getHeader("webhook-signature").split(" ")) {
            if (candidate.equals("v1," + expected)) {
                return true;
            }
        }
        return false;
    }

    private static String storedSecret(String endpointId) {
        return Api.bean(JdbcClient.class).sql("SELECT secret FROM webhook_endpoints WHERE id = :id")
                .param("id", UUID.fromString(endpointId)).query(String.class).single();
    }

    @Test
    void aTestEventArrivesSignedAndIsLogged() throws Exception {
        Customer c = customer();
        String path = hookPath();
        RECEIVER.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(204)));
        JsonNode created = create(c, path);
        String secret = created.get("secret").asString();
        assertThat(secret).startsWith("whsec_");
        String id = created.at("/endpoint/id").asString();
        assertThat(created.at("/endpoint/enabled").asBoolean()).isTrue();
        assertThat(call("GET", "/api/webhooks", c.token(), null).body().toString()).contains(id).doesNotContain(secret);
        assertThat(call("GET", "/api/webhooks/" + id, c.token(), null).body().toString()).doesNotContain(secret);
        assertThat(call("GET", "/api/audit-logs", c.token(), null).body().toString()).contains("webhook_created")
                .doesNotContain(secret);
        assertThat(storedSecret(id)).as("the secret as stored").startsWith("v1:").doesNotContain(secret)
                .doesNotContain(secret.substring("whsec_".length()));

        Response test = call("POST", "/api/webhooks/" + id + "/test", c.token(), null);
        assertThat(test.status()).as(test.toString()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(path).size() == 1);
        LoggedRequest r = received(path).getFirst();
        assertThat(verifies(secret, r)).as("signature of " + r).isTrue();
        assertThat(verifies(WebhookSignatureSecrets.other(secret), r)).as("a wrong secret fails").isFalse();
        JsonNode event = Api.bean(JsonMapper.class).readTree(r.getBodyAsString());
        assertThat(event.get("id").asString()).isEqualTo(r.getHeader("webhook-id"))
                .isEqualTo(test.body().get("eventId").asString());
        assertThat(event.get("type").asString()).isEqualTo("webhook.test");
        assertThat(Instant.parse(event.get("created_at").asString())).isBefore(Instant.now().plusSeconds(1));
        assertThat(event.at("/data/endpoint_id").asString()).isEqualTo(id);

        await().atMost(Duration.ofSeconds(5)).until(() ->
                call("GET", "/api/webhooks/" + id + "/deliveries", c.token(), null).body().at("/deliveries").size() == 1);
        JsonNode attempt = call("GET", "/api/webhooks/" + id + "/deliveries", c.token(), null).body().at("/deliveries/0");
        assertThat(attempt.get("statusCode").asInt()).isEqualTo(204);
        assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
        assertThat(attempt.get("error").isNull()).isTrue();
        assertThat(attempt.get("eventType").asString()).isEqualTo("webhook.test");

        // a delivered event can be sent again by hand: same id, a new attempt in the log
        String eventId = test.body().get("eventId").asString();
        assertThat(call("POST", "/api/webhooks/" + id + "/events/" + eventId + "/resend", c.token(), null).status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(path).size() == 2);
        assertThat(received(path).get(1).getHeader("webhook-id")).isEqualTo(eventId);
        await().atMost(Duration.ofSeconds(5)).until(() -> call("GET", "/api/webhooks/" + id + "/deliveries", c.token(),
                null).body().at("/deliveries/0/attempt").asInt() == 2);
        assertThat(call("POST", "/api/webhooks/" + id + "/events/msg_unknown/resend", c.token(), null).status())
                .isEqualTo(404);

        // a rotated secret signs the next event; the old one no longer verifies
        JsonNode rotated = call("POST", "/api/webhooks/" + id + "/rotate-secret", c.token(), null).body();
        String newSecret = rotated.get("secret").asString();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(secret);
        assertThat(storedSecret(id)).startsWith("v1:").doesNotContain(newSecret.substring("whsec_".length()));
        call("POST", "/api/webhooks/" + id + "/test", c.token(), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(path).size() == 3);
        LoggedRequest second = received(path).stream().filter(x -> !x.getHeader("webhook-id")
                .equals(r.getHeader("webhook-id"))).findFirst().orElseThrow();
        assertThat(verifies(newSecret, second)).isTrue();
        assertThat(verifies(secret, second)).isFalse();

        assertThat(call("DELETE", "/api/webhooks/" + id, c.token(), null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/webhooks/" + id, c.token(), null).status()).isEqualTo(404);
    }

    @Test
    void aCashoutStatusChangeIsDeliveredToItsOwner() throws Exception {
        CashoutFixtures.Operator op = CashoutFixtures.operator();
        Customer c = new Customer(op.token(), op.email());
        String path = hookPath();
        RECEIVER.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("ok")));
        String secret = create(c, path).get("secret").asString();
        CashoutFixtures.credit(op.id(), 10_000);
        String cashoutId = CashoutFixtures.requestAndConfirm(op, CashoutFixtures.usdt("5.00"), 1).get("id").asString();

        await().atMost(Duration.ofSeconds(10)).until(() -> !received(path).isEmpty());
        LoggedRequest r = received(path).getFirst();
        assertThat(verifies(secret, r)).isTrue();
        JsonNode event = Api.bean(JsonMapper.class).readTree(r.getBodyAsString());
        assertThat(event.get("type").asString()).isEqualTo("cashout.status_changed");
        assertThat(event.at("/data/cashout_id").asString()).isEqualTo(cashoutId);
        assertThat(event.at("/data/from").asString()).isEqualTo("awaiting_confirmation");
        assertThat(event.at("/data/to").asString()).isEqualTo("pending");
        assertThat(event.at("/data/amount_credits").asLong()).isPositive();
        assertThat(event.at("/data/source").asString()).isEqualTo("earn");
        assertThat(event.at("/data/currency").asString()).isEqualTo("USD");
        assertThat(new java.math.BigDecimal(event.at("/data/amount").asString()).movePointRight(3).longValueExact())
                .isEqualTo(event.at("/data/amount_credits").asLong());
    }

    @Test
    void usageCrossing80And100PercentOfTheAllowanceIsDelivered() throws Exception {
        JsonNode login = registerCustomer();
        Customer c = new Customer(token(login), login.at("/user/email").asString());
        UUID userId = UUID.fromString(login.at("/user/id").asString());
        UUID admin = Api.bean(AccountsService.class).firstAdmin().orElseThrow().id();
        Api.bean(PlansService.class).setBalance(admin, userId, new BigDecimal("1"), "webhook threshold test");
        UUID keyId = UUID.fromString(call("POST", "/api/proxy/keys", c.token(), Map.of("name", "hook")).body()
                .get("id").asString());
        String path = hookPath();
        RECEIVER.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        String secret = create(c, path, "usage.threshold").get("secret").asString();
        UsageSink sink = Api.bean(UsageSink.class);

        sink.write(List.of(usage(userId, keyId, 500_000_000)));
        sink.write(List.of(usage(userId, keyId, 350_000_000)));
        JobsService jobs = Api.bean(JobsService.class);
        jobs.runNow("plans-usage-alerts"); // the usage alerts' own job decides (docs/plans-and-alerts.md)
        await().atMost(Duration.ofSeconds(10)).until(() -> received(path).size() == 1);
        sink.write(List.of(usage(userId, keyId, 100_000_000)));
        sink.write(List.of(usage(userId, keyId, 50_000_000)));
        jobs.runNow("plans-usage-alerts");
        await().atMost(Duration.ofSeconds(10)).until(() -> received(path).size() == 2);
        jobs.runNow("plans-usage-alerts"); // once per period: a further run sends nothing
        Thread.sleep(500);
        assertThat(received(path)).hasSize(2);
        JsonMapper json = Api.bean(JsonMapper.class);
        List<JsonNode> events = new java.util.ArrayList<>();
        for (LoggedRequest r : received(path)) {
            assertThat(verifies(secret, r)).isTrue();
            events.add(json.readTree(r.getBodyAsString()));
        }
        assertThat(events).extracting(e -> e.get("type").asString()).containsOnly("usage.threshold");
        assertThat(events).extracting(e -> e.at("/data/threshold_percent").asInt()).containsExactlyInAnyOrder(80, 100);
        assertThat(events).extracting(e -> e.at("/data/gb_used").asString()).containsExactlyInAnyOrder("0.85", "1");
    }

    private static UsageRecord usage(UUID userId, UUID keyId, long bytes) {
        Instant now = Instant.now();
        return new UsageRecord(UUID.randomUUID(), userId, keyId, null, null, bytes, 0, 1, "FR", null,
                "threshold.example", "http", true, null, now.minusSeconds(1), now, 200);
    }

    @Test
    void a500IsRetriedUntilTheReceiverAccepts() {
        Customer c = customer();
        String path = hookPath();
        RECEIVER.stubFor(post(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("try later")).willSetStateTo("up"));
        RECEIVER.stubFor(post(urlEqualTo(path)).inScenario(path).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        String id = create(c, path).at("/endpoint/id").asString();
        call("POST", "/api/webhooks/" + id + "/test", c.token(), null);

        await().atMost(Duration.ofSeconds(10)).until(() ->
                call("GET", "/api/webhooks/" + id + "/deliveries", c.token(), null).body().at("/deliveries").size() == 2);
        JsonNode log = call("GET", "/api/webhooks/" + id + "/deliveries", c.token(), null).body().at("/deliveries");
        assertThat(log.get(1).get("attempt").asInt()).isEqualTo(1);
        assertThat(log.get(1).get("statusCode").asInt()).isEqualTo(500);
        assertThat(log.get(1).get("error").asString()).isEqualTo("HTTP 500");
        assertThat(log.get(1).get("responseBody").asString()).isEqualTo("try later");
        assertThat(log.get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(log.get(0).get("statusCode").asInt()).isEqualTo(200);
        assertThat(received(path)).hasSize(2).extracting(x -> x.getHeader("webhook-id")).containsOnly(
                log.get(0).get("eventId").asString());
        assertThat(call("GET", "/api/webhooks/" + id, c.token(), null).body().get("consecutiveFailures").asInt())
                .isZero();
    }

    @Test
    void anEndpointThatKeepsFailingIsDisabledAndItsOwnerMailed() {
        Customer c = customer();
        String path = hookPath();
        RECEIVER.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(503)));
        String id = create(c, path).at("/endpoint/id").asString();
        call("POST", "/api/webhooks/" + id + "/test", c.token(), null);
        call("POST", "/api/webhooks/" + id + "/test", c.token(), null);

        await().atMost(Duration.ofSeconds(20)).until(() ->
                !call("GET", "/api/webhooks/" + id, c.token(), null).body().get("enabled").asBoolean());
        JsonNode endpoint = call("GET", "/api/webhooks/" + id, c.token(), null).body();
        assertThat(endpoint.get("disabledReason").asString()).contains("HTTP 503");
        assertThat(endpoint.get("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(10);
        assertThat(Mailbox.awaitMail(c.email(), "webhook endpoint was disabled", 1)).contains(path);
        int attempts = received(path).size();
        assertThat(attempts).isGreaterThanOrEqualTo(10);
        Response refused = call("POST", "/api/webhooks/" + id + "/test", c.token(), null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().at("/error/code").asString()).isEqualTo("webhook_disabled");

        Response enabled = call("PATCH", "/api/webhooks/" + id, c.token(), Map.of("enabled", true));
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
        assertThat(enabled.body().get("enabled").asBoolean()).isTrue();
        assertThat(enabled.body().get("disabledReason").isNull()).isTrue();
        assertThat(enabled.body().get("consecutiveFailures").asInt()).isZero();
    }

    @Test
    void badUrlsAndPrivateDestinationsAreRefused() {
        Customer c = customer();
        for (String url : List.of("http://10.0.0.7/hook", "http://169.254.169.254/latest/meta-data",
                "http://192.168.1.1/hook", "https://[::ffff:10.0.0.1]/hook", "https://[fe80::1]/hook",
                "ftp://example.com/hook", "https://user:pw@" + "example.com/hook", "not a url",
                "http://127.0.0.1:25/hook")) {
            Response r = call("POST", "/api/webhooks", c.token(), Map.of("url", url,
                    "eventTypes", List.of("cashout.status_changed")));
            assertThat(r.status()).as(url + ": " + r).isEqualTo(400);
            assertThat(r.body().at("/error/code").asString()).isEqualTo("invalid_webhook_url");
            assertThat(r.body().at("/error/field").asString()).isEqualTo("url");
        }
        Response noTypes = call("POST", "/api/webhooks", c.token(), Map.of("url", RECEIVER.baseUrl() + "/x",
                "eventTypes", List.of()));
        assertThat(noTypes.status()).isEqualTo(400);
        assertThat(noTypes.body().at("/error/code").asString()).isEqualTo("invalid_event_types");
        Response unknown = call("POST", "/api/webhooks", c.token(), Map.of("url", RECEIVER.baseUrl() + "/x",
                "eventTypes", List.of("everything")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().toString()).contains("everything");
        assertThat(call("GET", "/api/webhooks", c.token(), null).body().at("/endpoints").size()).isZero();
        // a PATCH to a private address is refused the same way and changes nothing
        String path = hookPath();
        String id = create(c, path).at("/endpoint/id").asString();
        Response patched = call("PATCH", "/api/webhooks/" + id, c.token(), Map.of("url", "http://10.1.2.3/x"));
        assertThat(patched.status()).isEqualTo(400);
        assertThat(call("GET", "/api/webhooks/" + id, c.token(), null).body().get("url").asString())
                .isEqualTo(RECEIVER.baseUrl() + path);
    }
}
