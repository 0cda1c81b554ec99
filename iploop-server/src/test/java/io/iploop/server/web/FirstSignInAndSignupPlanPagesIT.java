package io.iploop.server.web;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.SignupPlan;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The first admin's guided sign-in (docs/product/accounts.md#first-admin-sign-in) and choosing the
 * sign-up plan on the admin plans page (docs/product/plans.md#sign-up-plan), in Chromium.
 */
@PlatformTest
@BrowserTest
class FirstSignInAndSignupPlanPagesIT {

    ChromeDriver driver;
    WebDriverWait wait;

    @Autowired
    AccountsService accounts;
    @Autowired
    ApiKeysService keys;
    @Autowired
    PlansService plans;

    @Test
    void aOneTimePasswordAdminIsGuidedAndNothingElseWorksUntilItIsChanged() {
        String email = "first-admin-" + UUID.randomUUID() + "@example.com";
        var admin = accounts.create(new NewAccount(email, TEST_PASSWORD, "First", "Admin", null, UserRole.ADMIN, true));
        driver.manage().deleteAllCookies();
        open("/login");
        type("#login-email", email);
        type("#login-password", TEST_PASSWORD);
        test("sign-in").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/first-sign-in"));
        settle();
        assertThat(textOf("first-sign-in-why")).contains("one-time password").contains("admin links redirect");
        assertThat(test("step-password").getAttribute("data-done")).isEqualTo("false");
        screenshots("first-sign-in");
        assertAccessible("first-sign-in");

        // Every other page, admin ones included, leads back here; a key form post is refused too.
        for (String page : new String[] {"/dashboard", "/api-keys", "/admin/users", "/usage"}) {
            open(page);
            assertThat(driver.getCurrentUrl()).as(page).endsWith("/first-sign-in");
        }
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("""
                const f = document.createElement('form'); f.method = 'post'; f.action = '/api-keys';
                const c = document.querySelector('input[name=_csrf]');
                if (c) { f.appendChild(c.cloneNode()); }
                const n = document.createElement('input'); n.name = 'name'; n.value = 'sneaky'; f.appendChild(n);
                document.body.appendChild(f); f.submit();""");
        wait.until(d -> d.getCurrentUrl().endsWith("/first-sign-in"));
        assertThat(keys.list(admin.id())).as("no key was created").isEmpty();

        type("#fs-current", TEST_PASSWORD);
        type("#fs-new", "a much better passphrase");
        type("#fs-confirm", "a much better passphrase");
        test("first-password-save").click();
        wait.until(d -> d.getCurrentUrl().contains("/settings"));
        open("/first-sign-in");
        assertThat(test("step-password").getAttribute("data-done")).isEqualTo("true");
        assertThat(test("step-2fa").getAttribute("data-done")).isEqualTo("false");
        screenshots("first-sign-in-password-changed");
        open("/dashboard");
        assertThat(driver.getCurrentUrl()).endsWith("/dashboard");
    }

    @Test
    void theSignupPlanIsChosenOnThePlansPage() {
        SignupPlan before = plans.signupPlan();
        try {
            signInNewAdminWithTwoFactor();
            open("/admin/plans");
            assertThat(textOf("signup-plan-current")).contains(before.planName());
            new Select(find("#signup-plan-id")).selectByValue("starter");
            type("#signup-included-gb", "not a number");
            test("signup-plan-save").click();
            settle();
            assertThat(textOf("error")).contains("number of GB");
            assertThat(plans.signupPlan().planId()).isEqualTo(before.planId());

            new Select(find("#signup-plan-id")).selectByValue("starter");
            type("#signup-included-gb", "5");
            test("signup-plan-save").click();
            settle();
            assertThat(textOf("done")).contains("Sign-up plan saved");
            assertThat(textOf("signup-plan-current")).contains("Starter").contains("5");
            assertThat(plans.signupPlan().planId()).isEqualTo("starter");
            assertThat(plans.signupPlan().includedGbOverride()).isEqualByComparingTo(new BigDecimal("5"));
            screenshots("admin-plans-signup-plan");

            // The sign-up form offers what new accounts get now.
            driver.manage().deleteAllCookies();
            open("/login?signup");
            assertThat(textOf("signup-plan-offer")).contains("Starter plan: 5.0 GB included");
        } finally {
            plans.setSignupPlan(accounts.firstAdmin().orElseThrow().id(), before.planId(), before.includedGbOverride());
        }
    }
}
