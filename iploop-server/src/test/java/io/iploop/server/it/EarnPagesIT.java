package io.iploop.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.node.AgentConfig;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The earn dashboard (seed 000 §3.6.2) in a real browser: an operator follows the page's
 * enrolment steps with a real node agent and sees the device online within 10 s, pauses it, sees
 * the balance the API reports, cashes out with the e-mailed code and sees it pending; a friend
 * signs up through the referral link choosing "earn" and gets the Earn section.
 */
class EarnPagesIT extends BrowserTestSupport {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    LedgerService ledger;

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
        assertThat(find("#cmd-docker").getText()).contains("PROXYCLAW_KEY=" + key);
        screenshots("earn-add-device");
        assertAccessible("earn-add-device");
        assertThat(test("nav-earn").isDisplayed()).as("issuing a node key made the account an operator").isTrue();

        // The devices page waits for the device; a real agent started with the key from the page comes online within 10 s.
        open("/earn/devices");
        assertThat(test("empty-state").getText()).contains("No devices yet");
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
        assertThat(find("[data-test='device-row']").getText()).contains("living-room").contains("Docker").contains("Germany");
        settle();
        screenshots("earn-devices");
        assertAccessible("earn-devices");

        // Pause from the page: the page and the API say paused.
        js("document.querySelector('[data-test=auto-refresh]').click()");
        find("[data-test='device-row'] [data-test='device-pause']").click();
        assertThat(textOf("done")).contains("paused");
        assertThat(find("[data-test='device-row'] [data-test='device-status']").getText()).isEqualTo("Paused");
        assertThat(call("GET", "/api/earn/devices", token, null).body().get(0).get("status").asString()).isEqualTo("paused");
        find("[data-test='device-row'] [data-test='device-resume']").click();
        assertThat(find("[data-test='device-row'] [data-test='device-status']").getText()).isEqualTo("Online");

        // Credits as the credit job posts them: the home page shows what the API reports.
        credit(userId, 12_345);
        open("/earn");
        JsonNode balance = call("GET", "/api/earn/balance", token, null).body();
        assertThat(balance.get("credits").asLong()).isEqualTo(12_345);
        assertThat(textOf("earn-balance")).isEqualTo("$" + balance.get("usd").decimalValue().toPlainString());
        assertThat(find("[data-test='earn-balance'] + .stat-hint").getText()).startsWith("12,345 credits");
        assertThat(textOf("earn-tier")).isEqualTo(capitalize(balance.at("/tier/tier").asString()));
        assertThat(find("[data-test='home-device']").getText()).contains("living-room").contains("Online");
        screenshots("earn-home");
        assertAccessible("earn-home");

        open("/earn/earnings");
        screenshots("earn-earnings");
        assertAccessible("earn-earnings");

        // Cash out $5.00 by PayPal: method → amount → details → e-mailed code → pending in history, balance reduced.
        open("/earn/cashout");
        assertThat(textOf("cashout-balance")).isEqualTo("$12.345");
        screenshots("earn-cashout");
        test("method-paypal").click();
        test("cashout-next-1").click();
        type("#cashout-amount", "5.00");
        test("cashout-next-2").click();
        type("#cashout-email", "payee@example.com");
        test("cashout-request").click();
        assertThat(test("confirm-card").getText()).contains("$5.00").contains("PayPal");
        screenshots("earn-cashout-confirm");
        String code = CashoutTestSupport.mailedCode(email, CashoutTestSupport.CONFIRM_SUBJECT, 1);
        type("#cashout-code", code);
        test("cashout-confirm").click();
        assertThat(textOf("done")).contains("confirmed");
        assertThat(find("[data-test='cashout-row']").getText()).contains("$5.00").contains("PayPal").contains("Pending");
        JsonNode after = call("GET", "/api/earn/balance", token, null).body();
        assertThat(after.get("credits").asLong()).isEqualTo(7_345);
        assertThat(textOf("cashout-balance")).isEqualTo("$" + after.get("usd").decimalValue().toPlainString()).isEqualTo("$7.345");
        JsonNode history = call("GET", "/api/earn/cashout/history", token, null).body();
        assertThat(history.toString()).contains("\"status\":\"pending\"");
        screenshots("earn-cashout-history");
        assertAccessible("earn-cashout");

        // Settings: auto-cash-out needs a verified method, and says so beside the form.
        open("/earn/settings");
        test("auto-enabled").click();
        test("auto-save").click();
        assertThat(test("error").getText()).isNotBlank();
        open("/earn/settings");
        screenshots("earn-settings");
        assertAccessible("earn-settings");

        // Referral: the page shows the API's code; a friend signs up with the link choosing "earn".
        open("/earn/referral");
        JsonNode referral = call("GET", "/api/earn/referral/code", token, null).body();
        assertThat(textOf("referral-code")).isEqualTo(referral.get("code").asString());
        String link = test("referral-link").getAttribute("value");
        assertThat(link).isEqualTo(referral.get("link").asString());
        assertThat(test("share-links").getText()).contains("WhatsApp").contains("Telegram").contains("E-mail");
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
        test("create-account").click();
        assertThat(test("signup-done").getText()).contains(friend);
        signIn(friend, PASSWORD);
        assertThat(test("nav-earn").isDisplayed()).as("chose earn at sign-up: the Earn section shows").isTrue();

        signIn(email, PASSWORD);
        open("/earn/referral");
        assertThat(textOf("referral-signups")).isEqualTo("1");
        assertThat(test("referral-table").getText()).contains("G*** H***");
        screenshots("earn-referral");
        assertAccessible("earn-referral");
    }

    /** Earned credits as the credit job posts them (EARN_ISSUED → OPERATOR_EARNINGS), as {@code CashoutTestSupport#credit}. */
    private void credit(UUID userId, long credits) {
        ledger.post(NewTransaction.of(TransactionKind.EARN_CREDIT, "test-earn-" + UUID.randomUUID(), "test earnings",
                Posting.credits(ledger.account(userId, AccountPurpose.OPERATOR_EARNINGS).id(), credits),
                Posting.credits(ledger.platformAccount(AccountPurpose.EARN_ISSUED).id(), -credits)));
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
