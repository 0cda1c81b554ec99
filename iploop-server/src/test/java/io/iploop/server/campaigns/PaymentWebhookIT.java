package io.iploop.server.campaigns;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.port;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.SharedPlatform;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;
import tools.jackson.databind.JsonNode;

/**
 * The payment-provider webhook funding campaign wallets (docs/campaigns.md#funding) over real HTTP
 * with the raw signed body: good, bad and expired signatures, replays, parallel duplicates, non-EUR
 * payments, and an unmatched payer kept for an admin to assign.
 */
@PlatformTest
class PaymentWebhookIT {

    private static final String PATH = "/api/webhooks/payment_provider";

    private record Customer(String token, UUID id, String email) {}

    private static Customer customer() {
        JsonNode c = registerCustomer();
        return new Customer(token(c), UUID.fromString(c.at("/user/id").asString()), c.at("/user/email").asString());
    }

    /** HMAC-SHA256 over "t.body", written independently of the server's code. */
    private static String signature(String secret, long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(String body, @Nullable String signature) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + PATH))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            b.header("X-IPLoop-Payment-Signature", signature);
        }
        try {
            return Api.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> signed(String body) {
        return post(body, signature(SharedPlatform.PAYMENT_WEBHOOK_SECRET, Instant.now().getEpochSecond(), body));
    }

    private static String event(String id, String amount, String currency, String payerJson, String metadataJson) {
        return "{\"id\": \"" + id + "\", \"type\": \"payment.completed\", \"amount\": \"" + amount + "\", \"currency\": \""
                + currency + "\", \"payer\": " + payerJson + ", \"metadata\": " + metadataJson + "}";
    }

    private static String eventId() {
        return "evt_" + UUID.randomUUID();
    }

    private static BigDecimal balance(Customer c) {
        Response w = call("GET", "/api/campaigns/wallet", c.token(), null);
        return new BigDecimal(w.body().get("balance").asString());
    }

    @Test
    void aSignedPaymentFundsThePayersWalletFoundByEmailOrMetadataOnce() {
        Customer byEmail = customer();
        String id = eventId();
        String body = event(id, "250.00", "EUR", "{\"email\": \"" + byEmail.email().toUpperCase() + "\"}", "{}");
        HttpResponse<String> first = signed(body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"outcome\":\"credited\"");
        assertThat(balance(byEmail)).isEqualByComparingTo("250");

        // the same event again (a provider retry, re-signed later): 200, nothing moves
        HttpResponse<String> replay = signed(body);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).contains("\"outcome\":\"duplicate\"");
        assertThat(balance(byEmail)).isEqualByComparingTo("250");

        Customer byMetadata = customer();
        HttpResponse<String> meta = signed(event(eventId(), "10.5", "eur", "{\"email\": \"someone-else@example.org\"}",
                "{\"user_id\": \"" + byMetadata.id() + "\"}"));
        assertThat(meta.body()).contains("credited");
        Customer byReference = customer();
        signed(event(eventId(), "1", "EUR", "{}", "{\"reference\": \"IPL-" + byReference.id() + "\"}"));
        assertThat(balance(byMetadata)).isEqualByComparingTo("10.50");
        assertThat(balance(byReference)).isEqualByComparingTo("1");
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();
    }

    @Test
    void badOrExpiredSignaturesAreRefusedAndStoreNothing() {
        Customer c = customer();
        String id = eventId();
        String body = event(id, "100", "EUR", "{\"email\": \"" + c.email() + "\"}", "{}");
        long now = Instant.now().getEpochSecond();

        HttpResponse<String> none = post(body, null);
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("invalid_signature");
        HttpResponse<String> wrongSecret = post(body, signature("not-the-secret", now, body));
        assertThat(wrongSecret.statusCode()).isEqualTo(400);
        assertThat(wrongSecret.body()).contains("invalid_signature");
        HttpResponse<String> tampered = post(body.replace("\"100\"", "\"1000\""),
                signature(SharedPlatform.PAYMENT_WEBHOOK_SECRET, now, body));
        assertThat(tampered.statusCode()).isEqualTo(400);
        HttpResponse<String> expired = post(body, signature(SharedPlatform.PAYMENT_WEBHOOK_SECRET, now - 600, body));
        assertThat(expired.statusCode()).isEqualTo(400);
        assertThat(expired.body()).contains("timestamp");
        assertThat(balance(c)).isEqualByComparingTo("0");
        assertThat(call("GET", "/api/admin/campaigns/payments", adminToken(), null).body().toString()).doesNotContain(id);

        // the genuine delivery of that event id is still accepted afterwards
        assertThat(signed(body).body()).contains("credited");
        assertThat(balance(c)).isEqualByComparingTo("100");
    }

    @Test
    void parallelDuplicatesOfOneEventCreditOnce() throws Exception {
        Customer c = customer();
        String body = event(eventId(), "42.00", "EUR", "{\"email\": \"" + c.email() + "\"}", "{}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                calls.add(() -> signed(body));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
                assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(200);
                outcomes.add(f.get().body());
            }
            assertThat(outcomes.stream().filter(o -> o.contains("credited")).count()).isEqualTo(1);
            assertThat(outcomes.stream().filter(o -> o.contains("duplicate")).count()).isEqualTo(11);
        } finally {
            pool.shutdown();
        }
        assertThat(balance(c)).isEqualByComparingTo("42");
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();
    }

    @Test
    void nonEurAndOtherEventsAreRecordedWithAReasonAndCreditNothing() {
        Customer c = customer();
        String usd = eventId();
        HttpResponse<String> r = signed(event(usd, "50", "USD", "{\"email\": \"" + c.email() + "\"}", "{}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"outcome\":\"rejected\"").contains("EUR only");
        HttpResponse<String> cents = signed(event(eventId(), "1.001", "EUR", "{\"email\": \"" + c.email() + "\"}", "{}"));
        assertThat(cents.body()).contains("rejected").contains("2 decimals");
        HttpResponse<String> refund = signed("{\"id\": \"" + eventId() + "\", \"type\": \"payment.refunded\", \"amount\": \"5\","
                + " \"currency\": \"EUR\", \"payer\": {\"email\": \"" + c.email() + "\"}}");
        assertThat(refund.body()).contains("rejected").contains("payment_event_id");
        HttpResponse<String> other = signed("{\"id\": \"" + eventId() + "\", \"type\": \"payment.pending\", \"amount\": \"5\","
                + " \"currency\": \"EUR\", \"payer\": {\"email\": \"" + c.email() + "\"}}");
        assertThat(other.body()).contains("rejected").contains("payment.pending");
        assertThat(balance(c)).isEqualByComparingTo("0");
        Response listed = call("GET", "/api/admin/campaigns/payments?status=rejected", adminToken(), null);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body().toString()).contains(usd).contains("currency USD is not accepted");

        HttpResponse<String> noId = signed("{\"type\": \"payment.completed\"}");
        assertThat(noId.statusCode()).isEqualTo(400);
        assertThat(noId.body()).contains("\"field\":\"id\"");
        assertThat(signed("not json").statusCode()).isEqualTo(400);
    }

    @Test
    void anUnknownPayerIsKeptUnmatchedUntilAnAdminAssignsItOnce() {
        String id = eventId();
        HttpResponse<String> r = signed(event(id, "75.00", "EUR", "{\"email\": \"nobody-" + UUID.randomUUID() + "@example.org\"}",
                "{\"reference\": \"order-17\"}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"outcome\":\"unmatched\"");
        String admin = adminToken();
        Response unmatched = call("GET", "/api/admin/campaigns/payments?status=unmatched", admin, null);
        assertThat(unmatched.body().toString()).contains(id).contains("75");

        Customer c = customer();
        assertThat(call("GET", "/api/admin/campaigns/payments", c.token(), null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/admin/campaigns/payments/" + id + "/assign", c.token(), Map.of("userId", c.id()))
                .status()).isEqualTo(403);
        Response badUser = call("POST", "/api/admin/campaigns/payments/" + id + "/assign", admin,
                Map.of("userId", UUID.randomUUID()));
        assertThat(badUser.status()).isEqualTo(400);
        assertThat(badUser.body().at("/error/field").asString()).isEqualTo("userId");
        assertThat(call("POST", "/api/admin/campaigns/payments/evt_nope/assign", admin, Map.of("userId", c.id())).status())
                .isEqualTo(404);

        Response assigned = call("POST", "/api/admin/campaigns/payments/" + id + "/assign", admin, Map.of("userId", c.id()));
        assertThat(assigned.status()).as(assigned.toString()).isEqualTo(200);
        assertThat(assigned.body().get("status").asString()).isEqualTo("credited");
        assertThat(balance(c)).isEqualByComparingTo("75");
        Response again = call("POST", "/api/admin/campaigns/payments/" + id + "/assign", admin, Map.of("userId", c.id()));
        assertThat(again.status()).isEqualTo(409);
        // a later provider retry of the same event changes nothing either
        assertThat(signed(event(id, "75.00", "EUR", "{}", "{}")).body()).contains("duplicate");
        assertThat(balance(c)).isEqualByComparingTo("75");
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();
    }

    @Test
    void anAdminCreditsAWalletByHandOncePerReferenceAndBadInputWritesNothing() {
        Customer c = customer();
        String admin = adminToken();
        String path = "/api/admin/campaigns/wallets/" + c.id() + "/credit";
        assertThat(call("POST", path, c.token(), Map.of("amount", "10", "reference", "self")).status()).isEqualTo(403);
        Response noAmount = call("POST", path, admin, Map.of("reference", "bank-1"));
        assertThat(noAmount.status()).isEqualTo(400);
        assertThat(noAmount.body().at("/error/field").asString()).isEqualTo("amount");
        Response cents = call("POST", path, admin, Map.of("amount", "1.005", "reference", "bank-1"));
        assertThat(cents.body().at("/error/field").asString()).isEqualTo("amount");
        Response noRef = call("POST", path, admin, Map.of("amount", "10"));
        assertThat(noRef.body().at("/error/field").asString()).isEqualTo("reference");
        Response nobody = call("POST", "/api/admin/campaigns/wallets/" + UUID.randomUUID() + "/credit", admin,
                Map.of("amount", "10", "reference", "bank-1"));
        assertThat(nobody.body().at("/error/field").asString()).isEqualTo("userId");
        assertThat(balance(c)).isEqualByComparingTo("0");

        Response first = call("POST", path, admin, Map.of("amount", "120.50", "reference", "bank-1"));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.body().get("replayed").asBoolean()).isFalse();
        Response again = call("POST", path, admin, Map.of("amount", "120.50", "reference", "bank-1"));
        assertThat(again.body().get("replayed").asBoolean()).isTrue();
        assertThat(again.body().get("transactionId").asString()).isEqualTo(first.body().get("transactionId").asString());
        assertThat(call("POST", path, admin, Map.of("amount", "99", "reference", "bank-1")).status()).isEqualTo(409);
        call("POST", path, admin, Map.of("amount", "9.50", "reference", "bank-2"));
        assertThat(balance(c)).isEqualByComparingTo("130");
        Response audit = call("GET", "/api/audit-logs?action=admin_campaign_wallet_credited&limit=100", admin, null);
        assertThat(audit.body().toString()).contains("bank-1").contains(c.id().toString());
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).isTrue();
    }

    @Test
    void eachNewTopUpPublishesOneCampaignWalletToppedUpAndReplaysNone() {
        Customer c = customer();
        List<CampaignWalletToppedUp> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ApplicationListener<PayloadApplicationEvent<CampaignWalletToppedUp>> listener = e -> {
            if (e.getPayload().userId().equals(c.id())) {
                seen.add(e.getPayload());
            }
        };
        ApplicationEventMulticaster multicaster = bean(ApplicationEventMulticaster.class);
        multicaster.addApplicationListener(listener);
        try {
            topUpTwiceEach(c);
        } finally {
            multicaster.removeApplicationListener(listener);
        }
        assertThat(seen).extracting(CampaignWalletToppedUp::amount).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("20"), new BigDecimal("5"));
        assertThat(seen.get(0).idempotencyKey()).startsWith("campaign-topup:payment_provider:evt_");
    }

    private static void topUpTwiceEach(Customer c) {
        String body = event(eventId(), "20.00", "EUR", "{\"email\": \"" + c.email() + "\"}", "{}");
        assertThat(signed(body).body()).contains("credited");
        assertThat(signed(body).body()).contains("duplicate");
        call("POST", "/api/admin/campaigns/wallets/" + c.id() + "/credit", adminToken(),
                Map.of("amount", "5", "reference", "event-check"));
        call("POST", "/api/admin/campaigns/wallets/" + c.id() + "/credit", adminToken(),
                Map.of("amount", "5", "reference", "event-check"));
    }
}
