package io.iploop.server.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Helpers for cash-out tests: operators with credits, balances, mailed codes, jobs and the PayPal stand-in. */
public abstract class CashoutTestSupport extends ServerTestSupport {

    protected static final String CONFIRM_SUBJECT = "Confirm your IPLoop cash-out";

    @Autowired
    protected LedgerService ledger;

    /** A registered user: token, id, e-mail. */
    protected record Operator(String token, UUID id, String email) {}

    @BeforeEach
    protected void payPalToken() {
        // PayPal's documented client-credentials answer, for the configured test client only.
        ServerTestSupport.PAYPAL.stubFor(post(urlEqualTo("/v1/oauth2/token"))
                .withBasicAuth("test-client", "test-secret")
                .withRequestBody(equalTo("grant_type=client_credentials"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"scope":"https://uri.paypal.com/services/payments/payouts","access_token":"A21AAtest",
                         "token_type":"Bearer","app_id":"APP-80W284485P519543T","expires_in":32400,"nonce":"n"}""")));
    }

    protected Operator operator() {
        JsonNode login = registerCustomer();
        return new Operator(token(login), UUID.fromString(login.at("/user/id").asString()),
                login.at("/user/email").asString());
    }

    /** Gives the user earned credits, as the credit job would (EARN_ISSUED → OPERATOR_EARNINGS). */
    protected void credit(UUID userId, long credits) {
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn-" + UUID.randomUUID(), "test earnings",
                Posting.credits(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), credits),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -credits)));
    }

    protected long earnings(UUID userId) {
        return ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).credits();
    }

    protected long reserved(UUID userId) {
        return ledger.account(userId, AccountPurpose.CASHOUT_RESERVED).credits();
    }

    protected long paidOut() {
        return ledger.platformAccount(AccountPurpose.PAYOUTS_PAID).credits();
    }

    protected void assertBalances(Operator op, long earnings, long reserved) {
        assertThat(earnings(op.id())).as("earnings").isEqualTo(earnings);
        assertThat(reserved(op.id())).as("reserved").isEqualTo(reserved);
        assertThat(ledger.checkConsistency().consistent()).as("ledger consistent").isTrue();
    }

    /** The code of the {@code n}-th (1-based) confirmation mail to the operator. */
    protected static String mailedCode(String email, String subject, int n) {
        Matcher m = Pattern.compile("code: (\\d{6})").matcher(awaitMail(email, subject, n));
        assertThat(m.find()).as("code in mail").isTrue();
        return m.group(1);
    }

    /** Requests a cash-out and asserts 201; returns it. */
    protected JsonNode request(Operator op, Map<String, Object> body) {
        Response r = call("POST", "/api/earn/cashout", op.token(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.body().get("status").asString()).isEqualTo("awaiting_confirmation");
        return r.body();
    }

    /** Requests and confirms with the mailed code (the {@code n}-th request of this operator). */
    protected JsonNode requestAndConfirm(Operator op, Map<String, Object> body, int n) {
        String id = request(op, body).get("id").asString();
        Response r = call("POST", "/api/earn/cashout/" + id + "/confirm", op.token(),
                Map.of("code", mailedCode(op.email(), CONFIRM_SUBJECT, n)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    protected static Map<String, Object> usdt(String amountUsd) {
        return Map.of("method", "usdt", "amountUsd", new java.math.BigDecimal(amountUsd),
                "paymentDetails", Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"));
    }

    protected static Map<String, Object> paypal(String amountUsd, String email) {
        return Map.of("method", "paypal", "amountUsd", new java.math.BigDecimal(amountUsd), "paymentDetails", Map.of("email", email));
    }

    /** Runs a job now, waiting out a run that holds its lock; returns its summary. */
    protected String runJob(String admin, String name) {
        String[] summary = new String[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response r = call("POST", "/api/admin/jobs/" + name + "/run", admin, null);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            summary[0] = r.body().path("summary").asString("");
            return r.body().get("executed").asBoolean();
        });
        return summary[0];
    }

    protected JsonNode cashout(Operator op, String id) {
        Response r = call("GET", "/api/earn/cashout/" + id, op.token(), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }
}
