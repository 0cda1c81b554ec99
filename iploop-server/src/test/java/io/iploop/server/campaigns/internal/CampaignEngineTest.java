package io.iploop.server.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.campaigns.CampaignSettings.GeoTarget;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's pure rules (docs/campaigns.md#engine): speed to concurrency, weighted countries, same-site links. */
class CampaignEngineTest {

    @Test
    void speedMapsLinearlyToConcurrencyWithinTheCap() {
        assertThat(CampaignEngine.concurrency(0, 50)).isZero();
        assertThat(CampaignEngine.concurrency(1, 50)).isEqualTo(1);
        assertThat(CampaignEngine.concurrency(50, 50)).isEqualTo(25);
        assertThat(CampaignEngine.concurrency(100, 50)).isEqualTo(50);
        assertThat(CampaignEngine.concurrency(33, 10)).isEqualTo(4);
    }

    @Test
    void countriesAreChosenByWeight() {
        List<GeoTarget> targets = List.of(new GeoTarget("US", 70), new GeoTarget("DE", 30));
        assertThat(CampaignEngine.country(targets, 0.0)).isEqualTo("US");
        assertThat(CampaignEngine.country(targets, 0.6999)).isEqualTo("US");
        assertThat(CampaignEngine.country(targets, 0.70)).isEqualTo("DE");
        assertThat(CampaignEngine.country(targets, 0.9999)).isEqualTo("DE");
        assertThat(CampaignEngine.country(List.of(), 0.5)).isEmpty();
    }

    @Test
    void theRateIsTheCurvesRateForTheBalance() {
        assertThat(CampaignEngine.rateFor(new BigDecimal("50"))).isEqualByComparingTo("0.58");
        assertThat(CampaignEngine.rateFor(new BigDecimal("500"))).isEqualByComparingTo("0.40");
    }

    @Test
    void onlySameSiteLinksAreFollowed() {
        URI base = URI.create("http://shop.example:8080/a/");
        String html = "<a href=\"https://ads.example.net/click\">ad</a> <a href='//other.example/x'>x</a>"
                + " <a class=\"x\" href=\"../b?q=1&amp;r=2\">b</a> <a href=\"http://shop.example/c\">other port</a>";
        assertThat(VisitClient.nextLink(base, html, List.of())).isEqualTo(URI.create("http://shop.example:8080/b?q=1&r=2"));
        assertThat(VisitClient.nextLink(base, "<a href=\"https://ads.example.net/\">ad</a>", List.of())).isNull();
    }

    @Test
    void theUserAgentCarriesTheToken() {
        VisitClient client = new VisitClient(new java.net.InetSocketAddress("127.0.0.1", 1), "https://x.example/docs/campaigns",
                java.time.Duration.ofSeconds(1), null);
        assertThat(client.userAgent(true)).startsWith("Mozilla/5.0 (Windows")
                .endsWith(" IPLoopSynthetic/1.0 (+https://x.example/docs/campaigns)");
        assertThat(client.userAgent(false)).contains("Android").contains("IPLoopSynthetic/1.0");
    }

    @Test
    void aConfiguredGatewayWinsOverTheLocalOneAndIsChecked() {
        var ports = java.util.Optional.of(new io.iploop.server.dataplane.DataPlane.Ports(7777, 1080, 8001));
        assertThat(CampaignEngine.proxyAddress(null, ports)).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 7777));
        assertThat(CampaignEngine.proxyAddress(null, java.util.Optional.empty())).isNull();
        var lb = CampaignEngine.GatewayAddress.parse(" localhost:17777 ");
        assertThat(CampaignEngine.proxyAddress(lb, ports)).isEqualTo(new java.net.InetSocketAddress("localhost", 17777));
        assertThat(CampaignEngine.proxyAddress(lb, java.util.Optional.empty()).getPort()).isEqualTo(17777);
        assertThat(CampaignEngine.GatewayAddress.parse("[::1]:7777")).isEqualTo(new CampaignEngine.GatewayAddress("::1", 7777));
        assertThat(CampaignEngine.GatewayAddress.parse("")).isNull();
        for (String bad : List.of("lb", "lb:", ":7777", "lb:0", "lb:65536", "lb:http")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> CampaignEngine.GatewayAddress.parse(bad))
                    .as(bad).hasMessageContaining("IPLOOP_CAMPAIGNS_ENGINE_GATEWAY").hasMessageContaining("'" + bad + "'");
        }
    }
}
