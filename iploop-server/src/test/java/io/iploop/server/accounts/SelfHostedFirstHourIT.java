package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.signInNewAdminWithTwoFactor;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.server.bootstrap.FirstStart;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A self-hoster's first hour on the embedded default (docs/product/accounts.md): no SMTP, a fresh
 * database with the first-start demo customer, and small sign-up limits so a test reaches them. Its
 * own server (own data directory), because the shared one sends mail to GreenMail, has many
 * customers already and no sign-up limits. The order matters: the first test sees the demo customer
 * before anyone signed up; the page's limit test spends the limit of 127.0.0.1 last.
 */
@ServerTest
@BrowserTest
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelfHostedFirstHourIT {

    static final int PER_IP = 3;
    static final int PER_DOMAIN = 5;

    @DynamicPropertySource
    static void firstHour(DynamicPropertyRegistry r) {
        try {
            SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-first-hour-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("iploop.mail.smtp-host", () -> "");
        r.add("iploop.trusted-proxies", () -> "127.0.0.1");
        r.add("iploop.accounts.signups-per-ip", () -> Integer.toString(PER_IP));
        r.add("iploop.accounts.signups-per-domain", () -> Integer.toString(PER_DOMAIN));
    }

    @Autowired
    AccountsService accounts;
    @Autowired
    SignInService signIn;

    ChromeDriver driver;

    private static HttpResponse<String> register(String email, String clientIp) {
        return send("POST", "/api/auth/register", null, Map.of("acceptTerms", true, "email", email, "password", TEST_PASSWORD,
                "firstName", "Test", "lastName", "User"), Map.of("X-Forwarded-For", clientIp));
    }

    private static String randomIp() {
        UUID u = UUID.randomUUID();
        return "198.51.100." + (1 + Math.floorMod(u.getLeastSignificantBits(), 250));
    }

    private void signUpOnThePage(String email) {
        driver.manage().deleteAllCookies();
        open("/login?signup");
        type("#firstName", "Grace");
        type("#lastName", "Hopper");
        type("#signup-email", email);
        type("#signup-password", "compiler pioneer");
        type("#confirmPassword", "compiler pioneer");
        test("accept-terms").click();
        test("create-account").click();
        settle();
    }

    @Test
    @Order(1)
    void theDemoCustomerIsSuspendedWhenTheFirstCustomerSignsUpAndTheSignUpOpensNoSession() {
        assertThat(accounts.findActiveByEmail(FirstStart.DEMO_EMAIL)).as("the first start's demo customer").isPresent();

        String email = "first-" + UUID.randomUUID() + "@example.org";
        signUpOnThePage(email);
        assertThat(textOf("signup-done")).contains(email);
        assertThat(textOf("mail-not-configured")).contains("sends no e-mail");
        screenshots("signup-done-without-smtp");

        Account created = accounts.findActiveByEmail(email).orElseThrow();
        assertThat(driver.manage().getCookieNamed("IPLOOP_SESSION")).as("the browser got no session").isNull();
        assertThat(signIn.sessions(created.id())).as("no session the browser never received").isEmpty();

        await().atMost(Duration.ofSeconds(5)).until(() -> accounts.findActiveByEmail(FirstStart.DEMO_EMAIL).isEmpty());
    }

    @Test
    @Order(2)
    void withoutSmtpMailIsLoggedShownToAdminsAndCustomersCanResendTheirLink(CapturedOutput log) {
        String email = "nosmtp-" + UUID.randomUUID() + "@example.net";
        assertThat(register(email, randomIp()).statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.getOut().contains("to " + email + ": \"Verify"));
        String line = log.getOut().lines().filter(l -> l.contains("to " + email + ": ")).findFirst().orElseThrow();
        assertThat(line).contains("links: http://dashboard.test/verify-email?token=");

        // The customer sees why no mail came and sends the link again.
        signIn(email, TEST_PASSWORD);
        assertThat(textOf("verify-email-notice")).contains("not verified").contains("no SMTP configured");
        screenshots("verify-email-notice");
        test("resend-verification").click();
        settle();
        assertThat(textOf("verification-resent")).contains("on its way");
        await().atMost(Duration.ofSeconds(10)).until(() -> log.getOut().lines()
                .filter(l -> l.contains("to " + email + ": \"Verify")).count() == 2);

        // The admin reads both in the dev mailbox page.
        signInNewAdminWithTwoFactor();
        open("/admin/mailbox");
        assertThat(textOf("mail-not-configured")).contains("IPLOOP_SMTP_HOST");
        List<String> rows = driver.findElements(By.cssSelector("[data-test='mail-to']")).stream()
                .map(e -> e.getText()).filter(email::equals).toList();
        assertThat(rows).hasSize(2);
        screenshots("admin-mailbox");
    }

    @Test
    @Order(3)
    void theApiLimitsSignUpsPerClientAddressAndPerEmailDomainWithRetryAfter() {
        String ip = "203.0.113.77";
        for (int i = 0; i < PER_IP; i++) {
            assertThat(register("ip-" + i + "-" + UUID.randomUUID() + "@ip" + i + ".example", ip).statusCode()).isEqualTo(201);
        }
        HttpResponse<String> refused = register("ip-over-" + UUID.randomUUID() + "@other.example", ip);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("signup_rate_limited").contains("from your address");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 3600L);

        String domain = "crowd-" + UUID.randomUUID().toString().substring(0, 8) + ".example";
        for (int i = 0; i < PER_DOMAIN; i++) {
            assertThat(register("d" + i + "@" + domain, "192.0.2." + (10 + i)).statusCode()).isEqualTo(201);
        }
        HttpResponse<String> domainRefused = register("over@" + domain, "192.0.2.99");
        assertThat(domainRefused.statusCode()).isEqualTo(429);
        assertThat(domainRefused.body()).contains("signup_rate_limited").contains(domain);
        assertThat(domainRefused.headers().firstValue("Retry-After")).isPresent();
        // A refused or failed sign-up spends nothing: another address at another domain still works.
        assertThat(register("fine-" + UUID.randomUUID() + "@fine.example", "192.0.2.99").statusCode()).isEqualTo(201);
    }

    @Test
    @Order(4)
    void theSignUpPageShowsTheLimitAsAFormError() {
        // 127.0.0.1 signed up once in the first test; the browser cannot pretend another address.
        for (int i = 1; i < PER_IP; i++) {
            signUpOnThePage("page-" + i + "-" + UUID.randomUUID() + "@page" + i + ".example");
            assertThat(textOf("signup-done")).isNotEmpty();
        }
        signUpOnThePage("page-over-" + UUID.randomUUID() + "@page-over.example");
        assertThat(textOf("error")).contains("Too many sign-ups from your address").contains("try again in");
        screenshots("signup-rate-limited");
    }
}
