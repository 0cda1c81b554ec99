package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.routing.HeaderProfile;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code profile-NAME} through a real gateway with a direct exit to a real origin that echoes the
 * request headers it received (docs/header-profiles.md): plain HTTP gets the preset, with the
 * customer's own headers kept except {@code User-Agent}; an HTTPS tunnel is not touched; an
 * unknown profile is a 400 naming the parameter.
 */
@Timeout(120)
class HeaderProfileIT {

    static TestOrigin origin;
    static TestOrigin tlsOrigin;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        tlsOrigin = TestOrigin.https();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(new RecordingUsageSink())
                .directExit(true)
                .withoutNodeHub()
                .handshakeTimeout(Duration.ofSeconds(1))
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        origin.close();
        tlsOrigin.close();
    }

    static String proxy(String password) {
        return "http://" + TestSupport.CUSTOMER + ":" + password + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    @Test
    void plainHttpReachesTheOriginWithTheFirefoxPresetAndTheCustomersAcceptKept() throws Exception {
        Curl.Result r = Curl.run("-x", proxy(TestSupport.KEY + "-profile-firefox"),
                "-H", "Accept: application/json", "-H", "X-Custom: kept", origin.url("/headers"));
        assertThat(r.status()).isEqualTo(200);
        String seen = r.bodyText();
        String firefox = HeaderProfile.named("firefox").headers().stream()
                .filter(h -> h.getKey().equals("User-Agent")).findFirst().orElseThrow().getValue();
        assertThat(seen).contains("user-agent: " + firefox + "\n").doesNotContain("curl/")
                .contains("accept: application/json\n").doesNotContain("accept: text/html")
                .contains("accept-language: en-US,en;q=0.5\n")
                .contains("upgrade-insecure-requests: 1\n")
                .contains("x-custom: kept\n")
                .doesNotContain("proxy-authorization");
    }

    @Test
    void withoutAProfileTheRequestIsUnchanged() throws Exception {
        Curl.Result r = Curl.run("-x", proxy(TestSupport.KEY), origin.url("/headers"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("user-agent: curl/").doesNotContain("accept-language");
    }

    @Test
    void anHttpsTunnelIsNotChanged() throws Exception {
        Curl.Result r = Curl.run("-k", "-x", proxy(TestSupport.KEY + "-profile-chrome"), tlsOrigin.url("/headers"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("user-agent: curl/").doesNotContain("accept-language");
    }

    @Test
    void anUnknownProfileIs400NamingTheParameter() throws Exception {
        Curl.Result r = Curl.run("-x", proxy(TestSupport.KEY + "-profile-opera"), origin.url("/headers"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("X-IPLoop-Error")).isEqualTo("invalid_targeting");
        assertThat(r.bodyText()).contains("profile: 'opera' (expected: chrome, firefox, safari, mobile)");
    }
}
