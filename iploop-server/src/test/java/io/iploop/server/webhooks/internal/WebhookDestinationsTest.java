package io.iploop.server.webhooks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.webhooks.WebhooksException;
import io.iploop.tunnel.egress.EgressPolicy;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Destinations are checked against the egress policy, for literals and for what a name resolves to. */
class WebhookDestinationsTest {

    private final WebhookDestinations production = new WebhookDestinations(EgressPolicy.standard(false), false);

    @Test
    void refusesLoopbackPrivateAndLinkLocalLiterals() {
        for (String url : List.of("https://127.0.0.1/h", "https://[::1]/h", "https://10.1.2.3/h",
                "https://172.16.0.1/h", "https://192.168.0.10/h", "https://169.254.169.254/h", "https://[fe80::1]/h",
                "https://100.64.0.1/h", "https://0.0.0.0/h", "https://[::ffff:127.0.0.1]/h")) {
            assertThatThrownBy(() -> production.validate(url)).as(url).isInstanceOf(WebhooksException.class)
                    .hasMessageContaining("not allowed");
        }
    }

    @Test
    void checksTheAddressesANameResolvesTo() {
        // "localhost" is no literal: only its DNS answer (loopback) makes it forbidden
        assertThat(production.denial(URI.create("https://localhost/h"))).contains("localhost");
        assertThatThrownBy(() -> production.validate("https://localhost:8443/h")).isInstanceOf(WebhooksException.class);
    }

    @Test
    void httpOnlyWhenAllowedAndLoopbackOnlyWhenThePolicyAllowsIt() {
        assertThatThrownBy(() -> production.validate("http://203.0.113.10/h"))
                .hasMessageContaining("https://");
        var local = new WebhookDestinations(EgressPolicy.standard(true), true);
        assertThat(local.validate("http://127.0.0.1:9/h")).hasToString("http://127.0.0.1:9/h");
        assertThat(local.denial(URI.create("http://localhost:9/h"))).isNull();
        // loopback allowed is loopback only: private ranges and SMTP ports stay refused
        assertThat(local.denial(URI.create("http://10.0.0.1/h"))).isNotNull();
        assertThat(local.denial(URI.create("http://127.0.0.1:587/h"))).contains("587");
    }

    @Test
    void aPublicLiteralPasses() {
        assertThat(production.validate("https://93.184.215.14:8443/hook?x=1")).hasToString(
                "https://93.184.215.14:8443/hook?x=1");
    }
}
