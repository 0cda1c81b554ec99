package io.iploop.server.testing;

import static io.iploop.server.testing.Api.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api.Response;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;

/**
 * Helpers for cash-out tests on the server bound by {@link Api}: operators with credits, balances
 * (credits: 1 credit = USD 0.01), mailed codes, jobs. Tests that reach PayPal also use {@link
 * PayPalStub}. Static, like {@link Api}'s helpers.
 */
public final class CashoutFixtures {

    /** The subject of the mail with a cash-out's confirmation code. */
    public static final String CONFIRM_SUBJECT = "Confirm your IPLoop cash-out";

    private CashoutFixtures() {
    }

    /** A registered user: token, id, e-mail. */
    public record Operator(String token, UUID id, String email) {}

    private static LedgerService ledger() {
        return Api.bean(LedgerService.class);
    }

    /** A freshly registered customer, as an operator to credit and cash out. */
    public static Operator operator() {
        JsonNode login = Api.registerCustomer();
        return new Operator(Api.token(login), UUID.fromString(login.at("/user/id").asString()),
                login.at("/user/email").asString());
    }

    /** Gives the user earned credits, as the credit job would (EARN_ISSUED → OPERATOR_EARNINGS). */
    public static void credit(UUID userId, long credits) {
        LedgerService ledger = ledger();
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn-" + UUID.randomUUID(), "test earnings",
                Posting.credits(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), credits),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -credits)));
    }

    /** The user's available earnings, in credits. */
    public static long earnings(UUID userId) {
        return ledger().account(userId, AccountPurpose.OPERATOR_EARNINGS).credits();
    }

    /** The user's credits reserved for cash-outs in flight. */
    public static long reserved(UUID userId) {
        return ledger().account(userId, AccountPurpose.CASHOUT_RESERVED).credits();
    }

    /** All credits the platform has paid out, over every test in this JVM. */
    public static long paidOut() {
        return ledger().platformAccount(AccountPurpose.PAYOUTS_PAID).credits();
    }

    /** Asserts the operator's earnings and reservation (credits) and that the ledger is consistent. */
    public static void assertBalances(Operator op, long earnings, long reserved) {
        assertThat(earnings(op.id())).as("earnings").isEqualTo(earnings);
        assertThat(reserved(op.id())).as("reserved").isEqualTo(reserved);
        assertThat(ledger().checkConsistency().consistent()).as("ledger consistent").isTrue();
    }

    /** The code of the {@code n}-th (1-based) mail to {@code email} whose subject contains {@code subject}. */
    public static String mailedCode(String email, String subject, int n) {
        Matcher m = Pattern.compile("code: (\\d{6})").matcher(Mailbox.awaitMail(email, subject, n));
        assertThat(m.find()).as("code in mail").isTrue();
        return m.group(1);
    }

    /** Requests a cash-out and asserts 201; returns it. */
    public static JsonNode request(Operator op, Map<String, Object> body) {
        Response r = call("POST", "/api/earn/cashout", op.token(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.body().get("status").asString()).isEqualTo("awaiting_confirmation");
        return r.body();
    }

    /** Requests and confirms with the mailed code (the {@code n}-th request of this operator). */
    public static JsonNode requestAndConfirm(Operator op, Map<String, Object> body, int n) {
        String id = request(op, body).get("id").asString();
        Response r = call("POST", "/api/earn/cashout/" + id + "/confirm", op.token(),
                Map.of("code", mailedCode(op.email(), CONFIRM_SUBJECT, n)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    /** A USDT cash-out request body of {@code amountUsd} to a fixed TRC-20 address. */
    public static Map<String, Object> usdt(String amountUsd) {
        return Map.of("method", "usdt", "amountUsd", new BigDecimal(amountUsd),
                "paymentDetails", Map.of("address", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"));
    }

    /** A PayPal cash-out request body of {@code amountUsd} to {@code email}. */
    public static Map<String, Object> paypal(String amountUsd, String email) {
        return Map.of("method", "paypal", "amountUsd", new BigDecimal(amountUsd), "paymentDetails", Map.of("email", email));
    }

    /** Runs a job now as {@code admin} (a token), waiting out a run that holds its lock; returns its summary. */
    public static String runJob(String admin, String name) {
        String[] summary = new String[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response r = call("POST", "/api/admin/jobs/" + name + "/run", admin, null);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            summary[0] = r.body().path("summary").asString("");
            return r.body().get("executed").asBoolean();
        });
        return summary[0];
    }

    /** The operator's cash-out {@code id} as the API shows it (asserts 200). */
    public static JsonNode cashout(Operator op, String id) {
        Response r = call("GET", "/api/earn/cashout/" + id, op.token(), null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }
}
