package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Api.totpAt;
import static io.iploop.server.testing.Api.totpCode;
import static io.iploop.server.testing.Api.totpStep;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.assertContrast;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshot;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NotificationPreferences;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The settings page (docs/product/accounts.md#profile-and-settings) and the login's 2FA step (docs/product/accounts.md#login, #two-factor-authentication) in a
 * real browser: 2FA is turned on with a code computed from the secret the page shows, and the next
 * login asks for a code (and takes a backup code); another session is terminated and its token
 * gets 401; the account IP whitelist names a bad entry; profile and notification preferences are
 * saved; the account is deleted with e-mail and password. Screenshots and axe checks of each new page.
 */
@PlatformTest
@BrowserTest
class SettingsPagesIT {

    @Autowired
    AccountsService accountsService;
    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Autowired
    ProfileService profiles;

    @Test
    void twoFactorIsTurnedOnInTheBrowserAndTheNextLoginAsksForACode() {
        JsonNode customer = signInNewCustomer();
        String email = customer.at("/user/email").asString();
        open("/settings");
        assertThat(textOf("two-factor-status")).isEqualTo("Off");
        screenshots("settings");
        assertAccessible("settings");

        test("two-factor-setup").click();
        assertVisibleBelowHeader("[data-test='totp-qr']");
        String secret = textOf("totp-secret").strip();
        assertThat(secret).matches("[A-Z2-7]{16,}");
        assertThat(test("totp-qr").getAttribute("src")).startsWith("data:image/png;base64,");
        screenshots("settings-2fa-setup");
        assertAccessible("settings-2fa-setup");
        // A wrong code keeps the same secret on the page, so the scanned app still works.
        type("#enable-code", "12345");
        test("enable-two-factor").click();
        assertCss("#enable-code-error", t -> assertThat(t).contains("not right"));
        assertThat(textOf("totp-secret").strip()).isEqualTo(secret);
        type("#enable-code", totpCode(secret));
        test("enable-two-factor").click();
        assertThat(textOf("two-factor-enabled")).contains("Two-factor authentication is on");
        List<String> backupCodes = textOf("backup-code-list").lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertThat(backupCodes).hasSize(8);
        assertThat(textOf("two-factor-status")).isEqualTo("On");
        assertVisibleBelowHeader("[data-test='backup-code-list']");
        screenshots("settings-backup-codes");
        // The state after the action, not only the page as first loaded (the codes were once the colour of their box).
        assertAccessible("settings-backup-codes");
        assertContrast("[data-test='backup-code-list']");

        test("logout").click();
        wait.until(d -> d.getCurrentUrl().contains("/login"));
        type("#login-email", email);
        type("#login-password", PASSWORD);
        test("sign-in").click();
        find("#totp-code");
        screenshots("login-2fa");
        assertAccessible("login-2fa");
        type("#totp-code", "000000".equals(totpAt(secret, totpStep())) ? "111111" : "000000");
        test("verify-code").click();
        assertThat(textOf("error")).contains("wrong or expired");
        type("#totp-code", totpCode(secret));
        test("verify-code").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));

        // The backup-code way in: each code works once.
        driver.manage().deleteAllCookies();
        open("/login");
        type("#login-email", email);
        type("#login-password", PASSWORD);
        test("sign-in").click();
        test("use-backup").click();
        type("#backup-code", backupCodes.getFirst());
        test("verify-code").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        open("/settings");
        assertThat(driver.findElements(By.cssSelector("[data-test='session-row'] .badge")).stream().map(WebElement::getText))
                .contains("2FA");
    }

    @Test
    void anotherSessionIsTerminatedAndItsTokenIsRefused() {
        JsonNode customer = signInNewCustomer();
        String email = customer.at("/user/email").asString();
        String other = token(loginWith(email, PASSWORD, null).body());
        assertThat(call("GET", "/api/auth/profile", other, null).status()).isEqualTo(200);
        open("/settings");
        assertThat(driver.findElements(By.cssSelector("[data-test='this-device']"))).hasSize(1);
        List<WebElement> rows = driver.findElements(By.cssSelector("[data-test='session-row']"));
        assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
        WebElement otherRow = rows.stream().filter(r -> r.findElements(By.cssSelector("[data-test='this-device']")).isEmpty())
                .findFirst().orElseThrow();
        assertThat(otherRow.getText()).contains("127.0.0.1");
        otherRow.findElement(By.cssSelector("[data-test='end-session']")).click();
        assertThat(textOf("done")).contains("Session ended");
        assertThat(call("GET", "/api/auth/profile", other, null).status()).as("the terminated session's token").isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", sessionCookie(), null).status()).as("this browser's own session").isEqualTo(200);

        String third = token(loginWith(email, PASSWORD, null).body());
        open("/settings");
        test("end-other-sessions").click();
        assertThat(textOf("done")).contains("Every other session");
        assertThat(call("GET", "/api/auth/profile", third, null).status()).isEqualTo(401);
    }

    @Test
    void whitelistProfileNotificationsAndDeletion() {
        JsonNode customer = signInNewCustomer();
        String email = customer.at("/user/email").asString();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        open("/settings");

        type("#account-whitelist", "203.0.113.7\nnot-an-ip");
        test("save-whitelist").click();
        assertThat(textOf("whitelist-error")).contains("not-an-ip");
        assertVisibleBelowHeader("[data-test='whitelist-error']");
        screenshots("settings-whitelist-error");
        assertAccessible("settings-whitelist-error");
        type("#account-whitelist", "203.0.113.7\n2001:db8::/32");
        test("save-whitelist").click();
        assertThat(textOf("done")).contains("whitelist saved");
        assertThat(call("GET", "/api/account/ip-whitelist", sessionCookie(), null).body().get("ips").toString())
                .contains("203.0.113.7").contains("2001:db8::/32");
        type("#account-whitelist", "");
        saveAndWaitForReload("save-whitelist");

        // docs/ip-authorised-access.md: addresses served without credentials, with their targeting.
        type("#ip-auth-entries", "198.51.100.0/24 country-zz");
        test("save-ip-auth").click();
        assertThat(textOf("ip-auth-error")).contains("targeting").contains("country");
        assertAccessible("settings-ip-auth-error");
        type("#ip-auth-entries", "198.51.100.0/24 country-us\n2001:db8:1::/48");
        test("save-ip-auth").click();
        assertThat(textOf("done")).contains("Addresses without credentials saved");
        assertThat(call("GET", "/api/account/ip-authorisations", sessionCookie(), null).body().get("entries").toString())
                .contains("198.51.100.0/24").contains("country-us").contains("2001:db8:1::/48");
        type("#ip-auth-entries", "");
        saveAndWaitForReload("save-ip-auth");
        assertThat(textOf("done")).contains("Addresses without credentials saved");
        assertThat(call("GET", "/api/account/ip-authorisations", sessionCookie(), null).body().get("entries")).isEmpty();

        type("#company", "Acme Scraping GmbH");
        type("#phone", "not a phone");
        test("save-profile").click();
        assertCss("#phone-error", t -> assertThat(t).contains("Phone"));
        type("#phone", "+49 30 1234567");
        test("save-profile").click();
        assertThat(textOf("done")).isEqualTo("Profile saved.");
        JsonNode profile = call("GET", "/api/auth/profile", sessionCookie(), null).body();
        assertThat(profile.at("/user/company").asString()).isEqualTo("Acme Scraping GmbH");
        assertThat(profile.at("/user/phone").asString()).isEqualTo("+49 30 1234567");

        test("pref-weekly-report").click();
        test("save-notifications").click();
        assertThat(textOf("done")).contains("Notification preferences saved");
        assertThat(test("pref-weekly-report").isSelected()).isFalse();
        assertThat(profiles.notificationPreferences(userId)).isEqualTo(new NotificationPreferences(true, false, true, false));

        // docs/operator-transparency.md#customer-categories: the declared use case.
        new org.openqa.selenium.support.ui.Select(test("use-case")).selectByValue("seo");
        test("save-use-case").click();
        // The previous form's message stays on screen until the new page has loaded.
        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(textOf("done")).isEqualTo("Use case saved."));
        assertThat(profiles.useCase(userId)).isEqualTo("seo");
        assertThat(new org.openqa.selenium.support.ui.Select(test("use-case")).getFirstSelectedOption()
                .getAttribute("value")).isEqualTo("seo");

        test("delete-open").click();
        type("#confirm-email", "someone-else@example.com");
        type("#delete-password", PASSWORD);
        test("delete-confirm").click();
        assertThat(textOf("error")).contains("Type your e-mail");
        assertVisibleBelowHeader("[data-test='delete-form']");
        screenshots("settings-delete");
        assertAccessible("settings-delete-error");
        type("#confirm-email", email);
        type("#delete-password", PASSWORD);
        test("delete-confirm").click();
        assertThat(textOf("account-deleted")).contains("Your account was deleted");
        // The e-mail is erased (docs/privacy.md#erasure): it names no account any more.
        assertThat(loginWith(email, PASSWORD, null).status()).isEqualTo(401);
        assertThat(call("POST", "/api/auth/login", null, Map.of("email", email, "password", PASSWORD)).status()).isEqualTo(401);
    }

    /**
     * After a settings form is sent the page comes back at the form's section with the result next
     * to it, below the sticky top bar, on a phone and on a desktop (docs/product/dashboard.md#forms).
     */
    @Test
    void resultsStayWhereTheUserActedOnPhoneAndDesktop() {
        signInNewCustomer();
        for (int width : List.of(375, 1440)) {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", width < 768));
            try {
                open("/settings");
                type("#account-whitelist", "not-an-ip");
                test("save-whitelist").click();
                assertThat(textOf("whitelist-error")).contains("not-an-ip");
                assertVisibleBelowHeader("[data-test='whitelist-error']");
                type("#account-whitelist", "");
                test("save-whitelist").click();
                WebElement done = test("done");
                assertThat(done.getText()).contains("whitelist saved");
                assertThat(js("return arguments[0].closest('section').id", done)).as("message inside its section").isEqualTo("whitelist");
                assertVisibleBelowHeader("[data-test='done']");
                screenshot("settings-whitelist-done-" + width + "-light", width);

                // The page shows the whitelist's message until the post's answer replaces the page:
                // wait for that, or the message found could be the old one, gone a moment later.
                test("pref-weekly-report").click();
                saveAndWaitForReload("save-notifications");
                assertThat(js("return arguments[0].closest('section').id", test("done"))).isEqualTo("notifications");
                assertVisibleBelowHeader("[data-test='done']");
                test("pref-weekly-report").click();
                saveAndWaitForReload("save-notifications");
            } finally {
                driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
            }
        }
    }

    /** The element's top is in the viewport and not under the sticky top bar. */
    private static void assertVisibleBelowHeader(String css) {
        WebElement e = find(css);
        Object r = js("""
                var r = arguments[0].getBoundingClientRect(), bar = document.querySelector('.app-topbar').getBoundingClientRect();
                return [Math.round(r.top), Math.round(bar.bottom), window.innerHeight];""", e);
        List<?> v = (List<?>) r;
        long top = ((Number) v.get(0)).longValue();
        long barBottom = ((Number) v.get(1)).longValue();
        long height = ((Number) v.get(2)).longValue();
        assertThat(top).as("%s below the sticky top bar (top %d, bar ends at %d)", css, top, barBottom).isGreaterThanOrEqualTo(barBottom);
        assertThat(top).as("%s within the viewport of height %d", css, height).isLessThan(height);
    }

    /** Clicks a form's save button and waits until the post has reloaded the page, so later checks see the saved state. */
    private void saveAndWaitForReload(String saveButton) {
        WebElement oldPage = find("body");
        test(saveButton).click();
        wait.until(ExpectedConditions.stalenessOf(oldPage));
    }
}
