package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertCss;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The public pages in a real browser (docs/product/dashboard.md#public-pages): sign up with the field rules, the
 * mailed verification link, sign in with show-password, wrong passwords, forgot and reset password,
 * logout revoking the token; screenshots and accessibility of each page.
 */
@PlatformTest
@BrowserTest
class AuthPagesIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Test
    void signUpVerifyTheMailedLinkSignInAndOut() {
        open("/login");
        test("tab-signup").click();
        // The field rules of docs/product/dashboard.md#public-pages, checked by the server and shown next to each field.
        type("#firstName", "A");
        type("#lastName", "Lovelace");
        type("#signup-email", "not-an-email");
        type("#signup-password", "short");
        type("#confirmPassword", "other");
        test("create-account").click();
        settle();
        assertCss("#firstName-error", t -> assertThat(t).isEqualTo("First name must be at least 2 characters"));
        assertCss("#email-error", t -> assertThat(t).isEqualTo("Enter a valid e-mail address"));
        assertCss("#password-error", t -> assertThat(t).isEqualTo("Password must be at least 8 characters"));
        assertCss("#confirmPassword-error", t -> assertThat(t).isEqualTo("Passwords do not match"));
        assertCss("#acceptTerms-error", t -> assertThat(t).as("consent is required (docs/privacy.md#consent)")
                .isEqualTo("Accept the terms of service and the privacy policy to create an account"));
        assertThat(find("#lastName").getAttribute("value")).as("typed values are kept").isEqualTo("Lovelace");
        screenshots("signup-errors");

        String email = "ada-" + UUID.randomUUID() + "@example.com";
        type("#firstName", "Ada");
        type("#signup-email", email);
        type("#signup-password", "analytical engine");
        type("#confirmPassword", "analytical engine");
        test("accept-terms").click();
        test("create-account").click();
        assertText("signup-done", t -> assertThat(t).contains(email));
        screenshots("signup-done");

        String mail = awaitMail(email, "Verify", 1);
        String link = mail.lines().filter(l -> l.contains("/verify-email?token=")).findFirst().orElseThrow().strip();
        assertThat(link).startsWith("http://dashboard.test/verify-email?token=");
        open(link.replace("http://dashboard.test", ""));
        screenshots("verify-email");
        assertAccessible("verify-email");
        test("verify").click();
        assertText("verified", t -> assertThat(t).isEqualTo("E-mail verified"));
        open(link.replace("http://dashboard.test", ""));
        test("verify").click();
        assertText("verify-invalid", t -> assertThat(t).as("the link works once").isEqualTo("This link does not work"));

        open("/login");
        type("#login-email", email);
        type("#login-password", "wrong password");
        test("sign-in").click();
        assertText("error", t -> assertThat(t).isEqualTo("Invalid email or password"));
        assertThat(find("#login-email").getAttribute("value")).isEqualTo(email);

        type("#login-password", "analytical engine");
        assertThat(find("#login-password").getAttribute("type")).isEqualTo("password");
        test("show-password").click();
        assertThat(find("#login-password").getAttribute("type")).as("show password").isEqualTo("text");
        test("sign-in").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        assertText("user-name", t -> assertThat(t).isEqualTo("Ada Lovelace"));
        String token = sessionCookie();
        assertThat(call("GET", "/api/auth/profile", token, null).body().at("/user/emailVerified").asBoolean()).isTrue();

        test("logout").click();
        wait.until(d -> d.getCurrentUrl().endsWith("/login?logout"));
        assertThat(driver.manage().getCookieNamed("IPLOOP_SESSION")).as("cookie cleared").isNull();
        assertThat(call("GET", "/api/auth/profile", token, null).status()).as("token revoked like the API logout").isEqualTo(401);
        open("/dashboard");
        assertThat(driver.getCurrentUrl()).as("signed out: pages lead to the login").endsWith("/login");
    }

    @Test
    void forgotAndResetPassword() {
        JsonNode customer = registerCustomer();
        String email = customer.at("/user/email").asString();
        open("/forgot-password");
        screenshots("forgot-password");
        assertAccessible("forgot-password");
        type("#email", email);
        test("send-reset").click();
        assertText("reset-sent", t -> assertThat(t).contains(email));

        String link = awaitMail(email, "Reset", 1).lines().filter(l -> l.contains("/reset-password?token=")).findFirst()
                .orElseThrow().strip().replace("http://dashboard.test", "");
        open(link);
        screenshots("reset-password");
        assertAccessible("reset-password");
        type("#password", "new password 1");
        type("#confirmPassword", "new password 2");
        test("reset-submit").click();
        assertText("error", t -> assertThat(t).isEqualTo("Passwords do not match"));
        type("#password", "new password 1");
        type("#confirmPassword", "new password 1");
        test("reset-submit").click();
        test("reset-done");
        assertThat(call("POST", "/api/auth/login", null, Map.of("email", email, "password", "new password 1")).status())
                .isEqualTo(200);
        open(link);
        test("reset-invalid");
    }

    @Test
    void loginPageLooksRightAndIsAccessible() {
        driver.manage().deleteAllCookies();
        open("/login");
        screenshots("login");
        assertAccessible("login");
        test("tab-signup").click();
        assertThat(find("#firstName").isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("login-email")).isDisplayed()).isFalse();
        assertAccessible("signup");
        open("/verify-email?token=nonsense");
        test("verify").click();
        test("verify-invalid");
    }

    @Test
    void aFormWithoutItsCsrfTokenIsRefused() {
        JsonNode customer = registerCustomer();
        signIn(customer.at("/user/email").asString(), PASSWORD);
        // A forged cross-site form carries the cookie but not the token: refused, not logged out.
        js("var f = document.createElement('form'); f.method = 'post'; f.action = '/logout'; document.body.appendChild(f); f.submit();");
        settle();
        assertText("error-page", t -> assertThat(t).contains("403"));
        open("/dashboard");
        assertThat(driver.getCurrentUrl()).endsWith("/dashboard");
        open("/no-such-page");
        assertText("error-page", t -> assertThat(t).contains("404").contains("Page not found"));
        screenshots("error-404");
        assertAccessible("error-404");
    }
}
