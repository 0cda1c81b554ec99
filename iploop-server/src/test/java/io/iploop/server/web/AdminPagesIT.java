package io.iploop.server.web;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.registerUnverifiedCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertRead;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewAdmin;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.CashoutFixtures;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The admin pages (docs/product/admin.md) in a real browser against the real gateway: only an admin whose
 * session was opened with 2FA gets in (others are sent to set it up); suspending a user in the
 * users table makes that user's proxy requests fail with 407; a plan created and edited in the
 * plans editor is what {@code /api/plans} serves; a pending cash-out is approved from the review
 * queue; the supply view and the audit log show what happened. Screenshots and axe checks of each page.
 */
@PlatformTest
@BrowserTest
class AdminPagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    /** The gateway caches credentials for 5 s; allow for a loaded machine. */
    private static final Duration PROPAGATION = Duration.ofSeconds(20);

    @Autowired
    DataPlane dataPlane;

    @Autowired
    LedgerService ledger;

    @Autowired
    JdbcClient jdbc;

    private TestOrigin origin;

    @BeforeAll
    void origin() throws Exception {
        origin = TestOrigin.http();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));
    }

    @AfterAll
    void closeOrigin() {
        origin.close();
    }

    @Test
    void anAdminWithoutATwoFactorSessionIsSentToSetItUp() {
        signInNewAdmin();
        open("/admin/users");
        assertThat(driver.getCurrentUrl()).contains("/settings");
        assertThat(textOf("admin-needs-2fa")).contains("two-factor authentication");
        signInNewCustomer();
        open("/admin/users");
        assertThat(textOf("error-page")).contains("Not allowed");
        assertThat(driver.findElements(By.cssSelector("[data-test='user-row']"))).isEmpty();
    }

    @Test
    void suspendingAUserInTheBrowserRefusesTheirProxyRequests() throws Exception {
        JsonNode c = registerUnlimitedCustomer();
        String email = c.at("/user/email").asString();
        String key = call("POST", "/api/proxy/keys", token(c), Map.of("name", "admin-page")).body().get("key").asString();
        String proxy = "http://" + c.at("/user/customerId").asString() + ":" + key + "@127.0.0.1:"
                + dataPlane.ports().orElseThrow().httpProxy();
        assertThat(Curl.run("-x", proxy, origin.url("/bytes/10")).status()).isEqualTo(200);

        signInNewAdminWithTwoFactor();
        open("/admin/users");
        screenshots("admin-users");
        assertAccessible("admin-users");
        type("#q", email);
        test("apply-filters").click();
        settle();
        assertThat(driver.findElements(By.cssSelector("[data-test='user-row']"))).hasSize(1);
        assertThat(textOf("user-email")).isEqualTo(email);
        assertThat(textOf("user-status")).isEqualTo("active");
        test("user-actions").click();
        new Select(test("status-select")).selectByValue("suspended");
        type("[data-test='status-reason']", "browser test");
        test("status-apply").click();
        assertThat(textOf("done")).contains("Status changed");
        assertThat(textOf("user-status")).isEqualTo("suspended");
        await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(Curl.run("-x", proxy, origin.url("/bytes/10")).status()).isIn(407, 402));

        // Filters: the suspended user is among the suspended ones, not among the active ones.
        open("/admin/users?q=" + email + "&status=active");
        assertThat(textOf("empty-state")).contains("No accounts match");
        screenshots("admin-users-empty");

        open("/admin/audit?action=admin_user_status_changed");
        assertRead(() -> driver.findElements(By.cssSelector("[data-test='audit-row']")).getFirst().getText(), t -> assertThat(t)
                .contains("browser test").contains(email));
        screenshots("admin-audit");
        assertAccessible("admin-audit");
    }

    @Test
    void anAdminMarksAnAddressVerifiedFromTheUsersTable() {
        JsonNode c = registerUnverifiedCustomer();
        String email = c.at("/user/email").asString();
        signInNewAdminWithTwoFactor();
        open("/admin/users?q=" + email);
        test("user-actions").click();
        screenshots("admin-users-verify-email");
        test("verify-email").click();
        assertThat(textOf("done")).contains("E-mail marked as verified");
        assertThat(call("GET", "/api/admin/users/" + c.at("/user/id").asString(), adminToken(), null).body()
                .at("/user/emailVerified").asBoolean()).isTrue();
        test("user-actions").click();
        assertThat(driver.findElements(By.cssSelector("[data-test='verify-email']"))).as("only while unverified").isEmpty();
    }

    @Test
    void aPlanCreatedAndEditedInTheEditorIsWhatTheCatalogueServes() {
        signInNewAdminWithTwoFactor();
        String id = "web-" + Long.toHexString(System.nanoTime());
        open("/admin/plans");
        test("new-plan-open").click();
        type("#new-id", id);
        type("#new-name", "Web Plan");
        type("#new-includedGb", "abc");
        test("create-plan").click();
        assertCss("#new-includedGb-error", t -> assertThat(t).contains("Included GB"));
        type("#new-includedGb", "3");
        type("#new-requestsPerSecond", "7");
        test("create-plan").click();
        assertThat(textOf("done")).isEqualTo("Plan created.");
        assertThat(catalogued(id).get("requestsPerSecond").asInt()).isEqualTo(7);

        WebElement card = find("[data-plan-id='" + id + "']");
        card.findElement(By.cssSelector("[data-test='plan-edit']")).click();
        type("[data-plan-id='" + id + "'] [data-test='plan-requestsPerSecond']", "9");
        card.findElement(By.cssSelector("[data-test='plan-save']")).click();
        assertThat(textOf("done")).contains("Plan saved");
        assertThat(catalogued(id).get("requestsPerSecond").asInt()).isEqualTo(9);
        assertThat(catalogued(id).get("includedGb").decimalValue()).isEqualByComparingTo("3");
        screenshots("admin-plans");
        assertAccessible("admin-plans");

        card = find("[data-plan-id='" + id + "']");
        card.findElement(By.cssSelector("[data-test='plan-deactivate']")).click();
        card.findElement(By.cssSelector("[data-test='plan-deactivate-confirm']")).click();
        assertThat(textOf("done")).contains("Plan deactivated");
        assertThat(call("GET", "/api/plans", null, null).body().toString()).doesNotContain("\"" + id + "\"");
    }

    @Test
    void aPendingCashoutIsApprovedFromTheQueueAndTheSupplyViewShowsTheNetwork() {
        JsonNode op = registerCustomer();
        UUID opId = UUID.fromString(op.at("/user/id").asString());
        String opEmail = op.at("/user/email").asString();
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn-" + UUID.randomUUID(), "test earnings",
                Posting.credits(ledger.account(opId, AccountPurpose.OPERATOR_EARNINGS).id(), 20_000),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -20_000)));
        Response requested = call("POST", "/api/earn/cashout", token(op), CashoutFixtures.usdt("7.00"));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(201);
        String cashoutId = requested.body().get("id").asString();
        Response confirmed = call("POST", "/api/earn/cashout/" + cashoutId + "/confirm", token(op),
                Map.of("code", CashoutFixtures.mailedCode(opEmail, CashoutFixtures.CONFIRM_SUBJECT, 1)));
        assertThat(confirmed.body().get("status").asString()).isEqualTo("pending");

        signInNewAdminWithTwoFactor();
        open("/admin/cashouts");
        WebElement row = find("[data-cashout-id='" + cashoutId + "']");
        assertThat(row.getText()).contains(opEmail).contains("usdt");
        screenshots("admin-cashouts");
        assertAccessible("admin-cashouts");
        type("[data-cashout-id='" + cashoutId + "'] [data-test='cashout-note']", "looks fine");
        find("[data-cashout-id='" + cashoutId + "'] [data-test='cashout-approve']").click();
        assertThat(textOf("done")).isEqualTo("Cash-out approved.");
        assertThat(driver.findElements(By.cssSelector("[data-cashout-id='" + cashoutId + "']"))).as("gone from the pending queue").isEmpty();
        Response mine = call("GET", "/api/earn/cashout/" + cashoutId, token(op), null);
        assertThat(mine.body().get("status").asString()).isIn("approved", "processing", "completed");

        open("/admin");
        assertThat(textOf("breakdown-country")).contains("Germany");
        assertThat(textOf("supply-online")).matches("\\d+ / \\d+");
        screenshots("admin-supply");
        assertAccessible("admin-supply");
    }

    @Test
    void aBankCashoutsDetailsAreShownOnTheReviewAuditedPerViewAndItIsMarkedPaidWithAReference() {
        JsonNode op = registerCustomer();
        UUID opId = UUID.fromString(op.at("/user/id").asString());
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn-" + UUID.randomUUID(), "test earnings",
                Posting.credits(ledger.account(opId, AccountPurpose.OPERATOR_EARNINGS).id(), 100_000),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -100_000)));
        Response requested = call("POST", "/api/earn/cashout", token(op), Map.of("method", "bank_transfer",
                "amountUsd", new java.math.BigDecimal("60.00"), "paymentDetails", Map.of("iban", "DE89370400440532013000",
                        "swift", "DEUTDEFF", "accountHolder", "Jo Operator")));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(201);
        String cashoutId = requested.body().get("id").asString();
        call("POST", "/api/earn/cashout/" + cashoutId + "/confirm", token(op), Map.of("code",
                CashoutFixtures.mailedCode(op.at("/user/email").asString(), CashoutFixtures.CONFIRM_SUBJECT, 1)));

        signInNewAdminWithTwoFactor();
        open("/admin/cashouts");
        String row = "[data-cashout-id='" + cashoutId + "']";
        assertCss(row, t -> assertThat(t).contains("DE89 …3000").doesNotContain("DE89370400440532013000"));
        find(row + " [data-test='cashout-show-details']").click();
        assertCss(row + " [data-test='detail-iban']", t -> assertThat(t).isEqualTo("DE89370400440532013000"));
        assertCss(row + " [data-test='detail-accountHolder']", t -> assertThat(t).isEqualTo("Jo Operator"));
        assertCss(row + " [data-test='cashout-details']", t -> assertThat(t).contains("USD 55.00").contains("audit log"));
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE action = 'cashout_details_viewed' AND resource_id = ?")
                .param(cashoutId).query(Long.class).single()).as("the view is audited").isEqualTo(1);
        screenshots("admin-cashout-details");
        assertAccessible("admin-cashout-details");

        find(row + " [data-test='cashout-approve']").click();
        assertThat(textOf("done")).isEqualTo("Cash-out approved.");
        open("/admin/cashouts?status=all");
        type(row + " [data-test='cashout-reference-input']", "SEPA-REF-77");
        find(row + " [data-test='cashout-mark-paid']").click();
        assertThat(textOf("done")).contains("marked paid");
        assertCss(row + " [data-test='cashout-reference']", t -> assertThat(t).isEqualTo("SEPA-REF-77"));
        assertCss(row + " [data-test='cashout-state']", t -> assertThat(t).isEqualTo("completed"));
        screenshots("admin-cashout-paid");
        assertAccessible("admin-cashout-paid");
        assertThat(call("GET", "/api/earn/cashout/" + cashoutId, token(op), null).body().get("transactionId").asString())
                .isEqualTo("SEPA-REF-77");
    }

    /** The plan {@code id} as {@code GET /api/plans} serves it. */
    private JsonNode catalogued(String id) {
        for (JsonNode p : call("GET", "/api/plans", null, null).body().get("plans")) {
            if (p.get("id").asString().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("plan " + id + " not in /api/plans");
    }
}
