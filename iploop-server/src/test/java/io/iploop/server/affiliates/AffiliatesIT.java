package io.iploop.server.affiliates;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.bean;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.CashoutFixtures.CONFIRM_SUBJECT;
import static io.iploop.server.testing.CashoutFixtures.mailedCode;
import static io.iploop.server.testing.CashoutFixtures.runJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.SharedPlatform;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The campaign affiliate programme end to end over real HTTP (docs/affiliates.md): a visitor opens an
 * affiliate's link (cookie, one click per visitor), signs up without typing the code, funds the
 * campaign wallet through the signed payment-provider webhook, and the affiliate gets 20 % as pending
 * commission once (a replayed webhook adds nothing); after the holding period it is available and paid
 * out as a cash-out; the ledger stays balanced. Self-referral and bad payout input are refused.
 */
@PlatformTest
class AffiliatesIT {

    private static final String IBAN = "DE89370400440532013000";

    private record User(String token, UUID id, String email) {}

    private static User user() {
        JsonNode c = registerCustomer();
        return new User(token(c), UUID.fromString(c.at("/user/id").asString()), c.at("/user/email").asString());
    }

    private static JsonNode me(User u) {
        Response r = call("GET", "/api/affiliates/me", u.token(), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) {
        return Api.send("GET", path, null, null, headers);
    }

    /** The iploop_ref Set-Cookie of a response, or null. */
    private static String refCookie(HttpResponse<String> r) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("iploop_ref=")).findFirst().orElse(null);
    }

    private static String signature(long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SharedPlatform.PAYMENT_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts a signed payment.completed of {@code amount} EUR for {@code payer}; returns the body. */
    private static String pay(String eventId, String amount, UUID payer) {
        String body = "{\"id\": \"" + eventId + "\", \"type\": \"payment.completed\", \"amount\": \"" + amount
                + "\", \"currency\": \"EUR\", \"payer\": {}, \"metadata\": {\"user_id\": \"" + payer + "\"}}";
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> post(String body) {
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + Api.port()
                        + "/api/webhooks/payment_provider"))
                .header("Content-Type", "application/json")
                .header("X-IPLoop-Payment-Signature", signature(Instant.now().getEpochSecond(), body))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return Api.HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static BigDecimal balance(UUID user, AccountPurpose purpose) {
        return bean(LedgerService.class).findAccount(user, purpose).map(LedgerAccount::balance).orElse(BigDecimal.ZERO);
    }

    private static void assertLedgerConsistent() {
        assertThat(bean(LedgerService.class).checkConsistency().consistent()).as("every transaction sums to zero").isTrue();
    }

    @Test
    void aReferredCustomersTopUpPaysTheAffiliateTwentyPercentOnceThenAfterTheHoldingPeriodAsACashout() {
        User a = user();
        JsonNode mine = me(a);
        String code = mine.get("code").asString();
        assertThat(code).isNotBlank();
        assertThat(mine.get("link").asString()).contains("ref=" + code);
        assertThat(mine.get("clicks").asLong()).isZero();

        // A visitor opens a public page with the code: the 90-day cookie is set and one click counted.
        HttpResponse<String> visit = get("/?ref=" + code.toLowerCase(), Map.of());
        String setCookie = refCookie(visit);
        assertThat(setCookie).as("Set-Cookie of " + visit.headers().map()).isNotNull()
                .containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax").contains("Max-Age=7776000");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(cookie).startsWith("iploop_ref=" + code + ".");
        assertThat(me(a).get("clicks").asLong()).isEqualTo(1);
        // The same visitor again (cookie sent back): no second click, no new cookie.
        HttpResponse<String> again = get("/login?ref=" + code, Map.of("Cookie", cookie));
        assertThat(refCookie(again)).isNull();
        assertThat(me(a).get("clicks").asLong()).isEqualTo(1);
        // An unknown code counts nothing and sets nothing.
        assertThat(refCookie(get("/?ref=NOSUCHCODE42", Map.of()))).isNull();

        // B signs up carrying only the cookie: A referred B.
        String emailB = "aff-b-" + UUID.randomUUID() + "@example.com";
        HttpResponse<String> signup = Api.send("POST", "/api/auth/register", null, Map.of("acceptTerms", true,
                "email", emailB, "password", Api.TEST_PASSWORD, "firstName", "Bea", "lastName", "Buyer"),
                Map.of("Cookie", cookie));
        assertThat(signup.statusCode()).as(signup.body()).isEqualTo(201);
        UUID b = bean(io.iploop.server.accounts.AccountsService.class).findActiveByEmail(emailB).orElseThrow().id();
        assertThat(me(a).get("signUps").asLong()).isEqualTo(1);

        // B funds the campaign wallet through the signed webhook: A gets 20 % pending.
        String eventId = "evt_aff_" + UUID.randomUUID();
        assertThat(pay(eventId, "250.00", b)).contains("\"outcome\":\"credited\"");
        JsonNode after = me(a);
        assertThat(after.get("pending").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(after.get("available").decimalValue()).isEqualByComparingTo("0");
        assertThat(after.get("currency").asString()).isEqualTo("EUR");
        // The replayed webhook changes nothing.
        assertThat(pay(eventId, "250.00", b)).contains("\"outcome\":\"duplicate\"");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("50.00");
        // A second top-up of 10.55 earns 2.11 (20 %, rounded down to cents).
        pay("evt_aff_" + UUID.randomUUID(), "10.55", b);
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("52.11");
        Response list = call("GET", "/api/affiliates/commissions?page=1&limit=10", a.token(), null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().get("total").asLong()).isEqualTo(2);
        JsonNode first = list.body().get("items").get(1);
        assertThat(first.get("amount").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(first.get("topUpAmount").decimalValue()).isEqualByComparingTo("250.00");
        assertThat(first.get("status").asString()).isEqualTo("pending");
        assertThat(first.get("customer").asString()).startsWith("a***@").doesNotContain(emailB);
        assertThat(balance(a.id(), AccountPurpose.AFFILIATE_PENDING)).isEqualByComparingTo("52.11");
        assertLedgerConsistent();

        // Not yet available: a payout is refused, and the job run now releases nothing of A's.
        Response early = call("POST", "/api/affiliates/payouts", a.token(), Map.of("method", "bank_transfer",
                "amount", "50", "paymentDetails", Map.of("iban", IBAN, "swift", "DEUTDEFF", "accountHolder", "Al Affiliate")));
        assertThat(early.status()).as(early.toString()).isEqualTo(400);
        assertThat(early.body().at("/error/field").asString()).isEqualTo("amount");
        assertThat(runJob(adminToken(), "affiliates-release")).contains("released");
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("52.11");
        assertThat(bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(29)))).isZero();

        // After the 30-day holding period (the job's clock moved on), the commission is available, once.
        assertThat(bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(31)))).isGreaterThanOrEqualTo(2);
        assertThat(bean(AffiliatesService.class).releaseDue(Instant.now().plus(Duration.ofDays(31)))).isZero();
        JsonNode released = me(a);
        assertThat(released.get("pending").decimalValue()).isEqualByComparingTo("0");
        assertThat(released.get("available").decimalValue()).isEqualByComparingTo("52.11");

        // Bad payout input: 400 naming the field, nothing written.
        Response below = call("POST", "/api/affiliates/payouts", a.token(), Map.of("method", "bank_transfer", "amount", "49.99",
                "paymentDetails", Map.of("iban", IBAN, "swift", "DEUTDEFF", "accountHolder", "Al Affiliate")));
        assertThat(below.status()).isEqualTo(400);
        assertThat(below.body().at("/error/code").asString()).isEqualTo("below_minimum");
        Response badIban = call("POST", "/api/affiliates/payouts", a.token(), Map.of("method", "bank_transfer", "amount", "50",
                "paymentDetails", Map.of("iban", "DE00", "swift", "DEUTDEFF", "accountHolder", "Al Affiliate")));
        assertThat(badIban.status()).isEqualTo(400);
        assertThat(badIban.body().at("/error/field").asString()).contains("iban");
        Response noMethod = call("POST", "/api/affiliates/payouts", a.token(), Map.of("amount", "50"));
        assertThat(noMethod.status()).isEqualTo(400);
        assertThat(noMethod.body().at("/error/field").asString()).isEqualTo("method");

        // A payout of EUR 50 goes through the cash-out machinery: confirm by code, admin approves and pays.
        Response payout = call("POST", "/api/affiliates/payouts", a.token(), Map.of("method", "bank_transfer", "amount", "50.00",
                "paymentDetails", Map.of("iban", IBAN, "swift", "DEUTDEFF", "accountHolder", "Al Affiliate")));
        assertThat(payout.status()).as(payout.toString()).isEqualTo(201);
        String id = payout.body().get("id").asString();
        assertThat(payout.body().get("status").asString()).isEqualTo("awaiting_confirmation");
        assertThat(payout.body().get("currency").asString()).isEqualTo("EUR");
        assertThat(payout.body().get("source").asString()).isEqualTo("AFFILIATE");
        Response confirmed = call("POST", "/api/earn/cashout/" + id + "/confirm", a.token(),
                Map.of("code", mailedCode(a.email(), CONFIRM_SUBJECT, 1)));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.body().get("status").asString()).isEqualTo("pending");
        JsonNode reserved = me(a);
        assertThat(reserved.get("available").decimalValue()).isEqualByComparingTo("2.11");
        assertThat(reserved.get("inPayout").decimalValue()).isEqualByComparingTo("50.00");
        String admin = adminToken();
        assertThat(call("GET", "/api/admin/cashouts?status=pending", admin, null).body().toString()).contains(id);
        assertThat(call("GET", "/api/earn/cashout/history", a.token(), null).body().toString()).contains(id);
        // Another customer (B) does not see A's payout: 404, as for any cash-out.
        String tokenB = token(bean(tools.jackson.databind.json.JsonMapper.class).readTree(signup.body()));
        assertThat(call("GET", "/api/earn/cashout/" + id, tokenB, null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/admin/cashouts/" + id + "/approve", admin, Map.of()).body().get("status").asString())
                .isEqualTo("approved");
        Response paid = call("POST", "/api/admin/cashouts/" + id + "/complete", admin, Map.of("paidReference", "SEPA-AFF-1"));
        assertThat(paid.status()).as(paid.toString()).isEqualTo(200);
        JsonNode end = me(a);
        assertThat(end.get("inPayout").decimalValue()).isEqualByComparingTo("0");
        assertThat(end.get("paid").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(end.get("available").decimalValue()).isEqualByComparingTo("2.11");
        // B's wallet is untouched by the commission; the ledger balances.
        assertThat(balance(b, AccountPurpose.CAMPAIGN_WALLET)).isEqualByComparingTo("260.55");
        assertLedgerConsistent();
    }

    @Test
    void anAffiliatesOwnLinkCountsNothingAndAnUnreferredCustomersTopUpPaysNobody() {
        User a = user();
        String code = me(a).get("code").asString();
        // Signed in (the dashboard session cookie is a bearer here), A opens their own link: no click, no cookie.
        HttpResponse<String> own = Api.send("GET", "/?ref=" + code, a.token(), null, Map.of());
        assertThat(refCookie(own)).isNull();
        assertThat(me(a).get("clicks").asLong()).isZero();
        // A customer who came without a code funds a wallet: no commission for anybody.
        User c = user();
        BigDecimal before = commissionsPosted();
        pay("evt_aff_" + UUID.randomUUID(), "100.00", c.id());
        assertThat(commissionsPosted()).isEqualByComparingTo(before);
        assertThat(me(a).get("pending").decimalValue()).isEqualByComparingTo("0");
        // An explicit unknown code at sign-up is still told (400 naming ref); a stale cookie is ignored.
        HttpResponse<String> stale = Api.send("POST", "/api/auth/register", null, Map.of("acceptTerms", true,
                "email", "aff-stale-" + UUID.randomUUID() + "@example.com", "password", Api.TEST_PASSWORD, "firstName", "Sam",
                "lastName", "Tee"), Map.of("Cookie", "iploop_ref=ZZZZZZZZZZ.abcdefghijklmnopqrstuvwxyz"));
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(201);
        Response bad = call("GET", "/api/affiliates/commissions?page=0", a.token(), null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/field").asString()).isEqualTo("page");
    }

    /** All commission the platform has granted so far (its counter account runs negative by it). */
    private static BigDecimal commissionsPosted() {
        return bean(LedgerService.class).platformAccount(AccountPurpose.AFFILIATE_COMMISSIONS).balance();
    }

    @Test
    void everyAffiliateSeesOnlyTheirOwnFigures() {
        User a = user();
        User other = user();
        assertThat(me(a).get("code").asString()).isNotEqualTo(me(other).get("code").asString());
        assertThat(call("GET", "/api/affiliates/me", null, null).status()).isEqualTo(401);
    }
}
