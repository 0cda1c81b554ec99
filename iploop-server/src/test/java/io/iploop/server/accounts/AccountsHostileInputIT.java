package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Public account endpoints facing hostile input ({@code docs/security.md}): a 64 KiB e-mail that
 * made the old hand-written pattern backtrack quadratically is refused by the length bound.
 */
@PlatformTest
class AccountsHostileInputIT {
    @LocalServerPort
    int port;


    /** 64 KiB of dots between two {@code @}: quadratic for {@code [^@\s]+@[^@\s]+\.[^@\s]+}. */
    private static final String ADVERSARIAL = "a@" + ".".repeat(65_536) + "@";

    @Test
    void forgotPasswordApiRefusesA64KiBAddressByItsLength() {
        Response r = call("POST", "/api/auth/forgot-password", null, Map.of("email", ADVERSARIAL));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().at("/error/field").asString()).isEqualTo("email");
        assertThat(r.body().at("/error/message").asString()).isEqualTo("email: is too long (at most 254 characters)");
        Response invalid = call("POST", "/api/auth/forgot-password", null, Map.of("email", "a@b"));
        assertThat(invalid.body().at("/error/message").asString()).isEqualTo("email: is not a valid e-mail address");
    }

    @Test
    void registerRefusesA64KiBAddressByItsLength() {
        Response r = call("POST", "/api/auth/register", null, Map.of("acceptTerms", true, "email", ADVERSARIAL, "password", "correct horse",
                "firstName", "A", "lastName", "B"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().at("/error/message").asString()).contains("too long (at most 254 characters)");
    }

    @Test
    void forgotPasswordPageRefusesA64KiBAddressByItsLength() throws Exception {
        HttpClient client = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        String base = "http://127.0.0.1:" + port;
        String page = client.send(HttpRequest.newBuilder(URI.create(base + "/forgot-password")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).as("CSRF field in %s", page).isTrue();
        String form = "_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8) + "&email="
                + URLEncoder.encode(ADVERSARIAL, StandardCharsets.UTF_8);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/forgot-password"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("E-mail is too long (at most 254 characters).").doesNotContain("....................");
    }
}
