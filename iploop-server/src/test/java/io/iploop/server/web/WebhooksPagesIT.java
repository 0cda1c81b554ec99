package io.iploop.server.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.sessionCookie;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The webhooks page (docs/integrations/webhooks.md) in a real browser, delivering to a local receiver. */
@PlatformTest
@BrowserTest
class WebhooksPagesIT {

    static final WireMockServer RECEIVER = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .bindAddress("127.0.0.1"));

    static {
        RECEIVER.start();
    }

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Test
    void registerTestRotateDisableAndDelete() {
        signInNewCustomer();
        String session = sessionCookie();
        RECEIVER.stubFor(post(urlEqualTo("/page-hook")).willReturn(aResponse().withStatus(200)));
        open("/webhooks");
        assertText("empty-state", t -> assertThat(t).contains("No webhook endpoints yet"));

        type("#hook-url", "http://10.0.0.1/hook");
        test("create-endpoint").click();
        assertText("form-error", t -> assertThat(t).contains("not allowed"));
        assertThat(find("#hook-url").getAttribute("class")).contains("is-invalid");

        find("#hook-url").clear();
        type("#hook-url", RECEIVER.baseUrl() + "/page-hook");
        test("create-endpoint").click();
        String secret = test("new-secret-value").getAttribute("value");
        assertThat(secret).startsWith("whsec_");
        assertText("endpoint-url", t -> assertThat(t).isEqualTo(RECEIVER.baseUrl() + "/page-hook"));
        assertText("endpoint-status", t -> assertThat(t).isEqualTo("Enabled"));
        assertAccessible("webhooks");
        // the API sees what the page registered, without the secret
        assertThat(call("GET", "/api/webhooks", session, null).body().toString())
                .contains("/page-hook").doesNotContain(secret);

        test("endpoint-test").click();
        assertText("done", t -> assertThat(t).contains("Test event queued"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                RECEIVER.findAll(postRequestedFor(urlEqualTo("/page-hook"))).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            open("/webhooks");
            return !driver.findElements(By.cssSelector("[data-test='delivery-row']")).isEmpty();
        });
        test("endpoint-log-toggle").click();
        assertText("delivery-status", t -> assertThat(t).isEqualTo("200"));

        test("endpoint-rotate").click();
        assertThat(test("new-secret-value").getAttribute("value")).startsWith("whsec_").isNotEqualTo(secret);

        test("endpoint-toggle").click();
        assertText("done", t -> assertThat(t).contains("disabled"));
        assertText("endpoint-status", t -> assertThat(t).isEqualTo("Disabled"));
        assertThat(driver.findElements(By.cssSelector("[data-test='endpoint-test']"))).isEmpty();

        test("endpoint-delete").click();
        test("endpoint-delete-confirm").click();
        assertText("done", t -> assertThat(t).contains("deleted"));
        assertThat(call("GET", "/api/webhooks", session, null).body().at("/endpoints").size()).isZero();
    }
}
