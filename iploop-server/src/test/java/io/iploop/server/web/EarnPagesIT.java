package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.baseUrl;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.node.AgentConfig;
import io.iploop.node.NodeAgent;
import io.iploop.server.earn.EarnService;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.CashoutFixtures;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The earn dashboard (docs/product/earn.md#earn-dashboard) in a real browser: an operator follows the page's
 * enrolment steps with a real node agent and sees the device online within 10 s, pauses it, sees
 * the balance the API reports, cashes out with the e-mailed code and sees it pending; a friend
 * signs up through the referral link choosing "earn" and gets the Earn section.
 */
@PlatformTest
@BrowserTest
class EarnPagesIT {

    // set by @BrowserTest
    ChromeDriver driver;

    @Autowired
    LedgerService ledger;

    @Autowired
    EarnService earn;

    @Autowired
    JdbcClient jdbc;

    private final List<NodeAgent> agents = new ArrayList<>();

    @AfterAll
    void stopAgents() {
        agents.forEach(NodeAgent::close);
    }

    @Test
    void enrolDeviceSeeItOnlinePauseItAndCashOut() {
        JsonNode customer = signInNewCustomer();
        String email = customer.at("/user/email").asString();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        String token = sessionCookie();
        assertThat(driver.findElements(By.cssSelector("[data-test='nav-earn']"))).as("no Earn section before enrolling").isEmpty();

        // Earn home, empty: the "add new device" steps issue a node key and fill in the commands.
        open("/earn");
        assertThat(textOf("earn-balance")).isEqualTo("$0.00");
        screenshots("earn-home-empty");
        test("add-device-open").click();
        type("#device-name", "living-room");
        test("issue-node-key").click();
        String key = test("node-key").getAttribute("value");
        assertThat(key).startsWith("ipn_");
        String cli = find("#cmd-cli").getText();
        assertThat(cli).contains("./iploop node login --gateway ws://").contains("--key " + key);
        assertCss("#cmd-docker", t -> assertThat(t).contains("PROXYCLAW_KEY=" + key));
        screenshots("earn-add-device");
        assertAccessible("earn-add-device");
        assertThat(test("nav-earn").isDisplayed()).as("issuing a node key made the account an operator").isTrue();

        // The devices page waits for the device; a real agent started with the key from the page comes online within 10 s.
        open("/earn/devices");
        assertText("empty-state", t -> assertThat(t).contains("No devices yet"));
        String gateway = cli.lines().filter(l -> l.contains("--gateway")).findFirst().orElseThrow().split("--gateway ")[1].split(" ")[0];
        String deviceId = "earn-pages-" + UUID.randomUUID();
        Instant started = Instant.now();
        NodeAgent agent = new NodeAgent(new AgentConfig(URI.create(gateway), key, deviceId, "living-room", "DE", null, null, 0, null,
                "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS)
                .withRegistration(URI.create(baseUrl()), "docker"));
        agents.add(agent);
        agent.start();
        new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("[data-test='device-row'] [data-test='device-status']")).stream()
                        .anyMatch(e -> e.getText().equals("Online")));
        assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(11));
        assertCss("[data-test='device-row']", t -> assertThat(t).contains("living-room").contains("Docker").contains("Germany"));
        settle();
        screenshots("earn-devices");
        assertAccessible("earn-devices");

        // Pause from the page: the page and the API say paused.
        js("document.querySelector('[data-test=auto-refresh]').click()");
        find("[data-test='device-row'] [data-test='device-pause']").click();
        assertThat(textOf("done")).contains("paused");
        assertCss("[data-test='device-row'] [data-test='device-status']", t -> assertThat(t).isEqualTo("Paused"));
        assertThat(call("GET", "/api/earn/devices", token, null).body().get(0).get("status").asString()).isEqualTo("paused");
        find("[data-test='device-row'] [data-test='device-resume']").click();
        assertCss("[data-test='device-row'] [data-test='device-status']", t -> assertThat(t).isEqualTo("Online"));

        // The device carries 2 GB (as the usage listener records it) and the credit job runs; plus a
        // bonus posted to the ledger. The home page shows what the API reports.
        UUID node = UUID.fromString(call("GET", "/api/earn/devices", token, null).body().get(0).get("id").asString());
        jdbc.sql("INSERT INTO bandwidth_contributions (node_id, user_id, bytes, recorded_at, payment) VALUES (?, ?, ?, now() - interval '1 second', 'paid')")
                .params(node, userId, 2_000_000_000L).update();
        earn.creditUpTo(Instant.now());
        credit(userId, 12_345);
        open("/earn");
        JsonNode balance = call("GET", "/api/earn/balance", token, null).body();
        long credits = balance.get("credits").asLong();
        assertThat(credits).as("bonus plus 2 GB at the bronze rate or more").isGreaterThanOrEqualTo(12_345 + 200);
        assertThat(textOf("earn-balance")).isEqualTo(usd(balance.get("usd").decimalValue()));
        assertCss("[data-test='earn-balance'] + .stat-hint", t -> assertThat(t).startsWith(String.format("%,d credits", credits)));
        assertThat(textOf("earn-today")).isEqualTo(usd(balance.at("/today/usd").decimalValue()));
        assertThat(textOf("earn-tier")).isEqualTo(capitalize(balance.at("/tier/tier").asString()));
        assertCss("[data-test='home-device']", t -> assertThat(t).contains("living-room").contains("Online").contains("2.00 GB today"));
        screenshots("earn-home");
        assertAccessible("earn-home");

        // Earnings: the credited period in the table as the API has it, the CSV with the same row, the period toggle.
        open("/earn/earnings");
        JsonNode period = call("GET", "/api/earn/earnings?limit=1", token, null).body().get(0);
        assertCss("[data-test='earnings-row']", t -> assertThat(t).contains("living-room").contains("2"));
        assertCss("[data-test='earnings-row'] [data-test='earnings-credits']", t -> assertThat(t)
                .isEqualTo(String.format("%,d", period.get("totalCredits").asLong())));
        String csv = (String) ((org.openqa.selenium.JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1]; fetch(document.querySelector('[data-test=earnings-csv]').href)"
                        + ".then(r => r.text()).then(done, e => done('failed: ' + e));");
        assertThat(csv.lines().count()).as(csv).isEqualTo(2);
        assertThat(csv.lines().skip(1).findFirst().orElseThrow()).contains("living-room").contains(String.valueOf(2_000_000_000L))
                .contains(String.valueOf(period.get("totalCredits").asLong()));
        // Every factor is explained on the page and in the CSV, with the carried fraction; GB are 10^9 bytes.
        assertThat(textOf("earnings-order")).isEqualTo("Newest first, by the end of the period");
        assertThat(textOf("earnings-legend")).contains("base rate").contains("multipliers").contains("carried");
        assertCss("[data-test='earnings-row'] [data-test='earnings-rate']", t -> assertThat(t).isEqualTo("$0.10/GB · bronze"));
        assertCss("[data-test='earnings-row'] [data-test='earnings-carry']", t -> assertThat(t)
                .isEqualTo("+0 → " + period.get("carryOut").decimalValue().setScale(3, java.math.RoundingMode.DOWN)
                        .stripTrailingZeros().toPlainString()));
        assertThat(textOf("earnings-explanation")).startsWith("2 GB paid × USD 0.10/GB (bronze) = 200 base credits")
                .contains("× 1 multi-device").contains(period.get("totalCredits").asLong() + " credits");
        assertThat(csv.lines().findFirst().orElseThrow()).contains("paid_bytes").contains("bytes_per_gb")
                .contains("carry_in").contains("carry_out").contains("explanation");
        assertThat(csv.lines().skip(1).findFirst().orElseThrow()).contains("1000000000").contains("2 GB paid");
        screenshots("earn-earnings");
        assertAccessible("earn-earnings");
        test("view-monthly").click();
        assertThat(textOf("earnings-total")).isEqualTo(usd(balance.at("/month/usd").decimalValue()));

        // Cash out $5.00 by PayPal: method → amount → details → e-mailed code → pending in history, balance reduced.
        open("/earn/cashout");
        assertThat(textOf("cashout-balance")).isEqualTo(usd(balance.get("usd").decimalValue()));
        screenshots("earn-cashout");
        test("method-paypal").click();
        test("cashout-next-1").click();
        type("#cashout-amount", "5.00");
        test("cashout-next-2").click();
        type("#cashout-email", "payee@example.com");
        test("cashout-request").click();
        assertText("confirm-card", t -> assertThat(t).contains("$5.00").contains("PayPal"));
        screenshots("earn-cashout-confirm");
        String code = CashoutFixtures.mailedCode(email, CashoutFixtures.CONFIRM_SUBJECT, 1);
        type("#cashout-code", code);
        test("cashout-confirm").click();
        assertThat(textOf("done")).contains("confirmed");
        assertCss("[data-test='cashout-row']", t -> assertThat(t).contains("$5.00").contains("PayPal").contains("Pending"));
        JsonNode after = call("GET", "/api/earn/balance", token, null).body();
        assertThat(after.get("credits").asLong()).isEqualTo(credits - 5_000);
        assertThat(textOf("cashout-balance")).isEqualTo(usd(after.get("usd").decimalValue()));
        assertThat(textOf("cashout-reserved")).startsWith("$5.00 reserved");
        JsonNode history = call("GET", "/api/earn/cashout/history", token, null).body();
        assertThat(history.toString()).contains("\"status\":\"pending\"");
        screenshots("earn-cashout-history");
        assertAccessible("earn-cashout");

        // Settings: auto-cash-out needs a verified method, and says so beside the form.
        open("/earn/settings");
        test("auto-enabled").click();
        test("auto-save").click();
        assertText("error", t -> assertThat(t).contains("payment"));
        screenshots("earn-settings");
        assertAccessible("earn-settings");

        // Save a PayPal method, verify it with the mailed code, then switch auto-cash-out on with it.
        open("/earn/cashout");
        test("method-add-open").click();
        type("#method-email", "savings@example.com");
        test("method-save").click();
        assertText("verify-method", t -> assertThat(t).contains("PayPal"));
        type("#method-code", CashoutFixtures.mailedCode(email, "Verify your IPLoop payment method", 1));
        test("method-verify").click();
        assertThat(textOf("done")).contains("verified");
        assertCss("[data-test='method-row']", t -> assertThat(t).contains("s***@example.com").contains("Verified"));
        open("/earn/settings");
        test("auto-enabled").click();
        find("#auto-threshold-settings").clear();
        find("#auto-threshold-settings").sendKeys("25");
        new org.openqa.selenium.support.ui.Select(find("#auto-method-settings")).selectByIndex(1);
        test("auto-save").click();
        assertThat(textOf("done")).contains("Auto-cash-out");
        assertThat(textOf("auto-status")).isEqualTo("On");
        JsonNode auto = call("GET", "/api/earn/auto-cashout", token, null).body();
        assertThat(auto.get("enabled").asBoolean()).isTrue();
        assertThat(auto.get("thresholdUsd").decimalValue()).isEqualByComparingTo("25");

        // Referral: the page shows the API's code; a friend signs up with the link choosing "earn".
        open("/earn/referral");
        JsonNode referral = call("GET", "/api/earn/referral/code", token, null).body();
        assertThat(textOf("referral-code")).isEqualTo(referral.get("code").asString());
        String link = test("referral-link").getAttribute("value");
        assertThat(link).isEqualTo(referral.get("link").asString());
        assertText("share-links", t -> assertThat(t).contains("WhatsApp").contains("Telegram").contains("E-mail"));
        screenshots("earn-referral-empty");

        driver.manage().deleteAllCookies();
        URI invite = URI.create(link);
        open(invite.getRawPath() + "?" + invite.getRawQuery());
        assertThat(textOf("signup-ref")).contains(referral.get("code").asString());
        String friend = "friend-" + UUID.randomUUID() + "@example.com";
        type("#firstName", "Grace");
        type("#lastName", "Hopper");
        type("#signup-email", friend);
        type("#signup-password", PASSWORD);
        type("#confirmPassword", PASSWORD);
        test("intent-earn").click();
        test("accept-terms").click();
        test("create-account").click();
        assertText("signup-done", t -> assertThat(t).contains(friend));
        signIn(friend, PASSWORD);
        assertThat(test("nav-earn").isDisplayed()).as("chose earn at sign-up: the Earn section shows").isTrue();

        signIn(email, PASSWORD);
        open("/earn/referral");
        assertThat(textOf("referral-signups")).isEqualTo("1");
        assertText("referral-table", t -> assertThat(t).contains("G*** H***"));
        screenshots("earn-referral");
        assertAccessible("earn-referral");
    }

    /** Earned credits as the credit job posts them (EARN_ISSUED → OPERATOR_EARNINGS), as {@code CashoutFixtures#credit}. */
    private void credit(UUID userId, long credits) {
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn-" + UUID.randomUUID(), "test earnings",
                Posting.credits(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), credits),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -credits)));
    }

    /** USD as the pages show it: cents, or tenths of a cent when there are any; thousands separated. */
    private static String usd(java.math.BigDecimal v) {
        java.math.BigDecimal cents = v.setScale(2, java.math.RoundingMode.DOWN);
        java.math.BigDecimal shown = cents.compareTo(v) == 0 ? cents : v.setScale(3, java.math.RoundingMode.HALF_UP);
        return "$" + String.format(java.util.Locale.ENGLISH, "%,." + shown.scale() + "f", shown);
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
