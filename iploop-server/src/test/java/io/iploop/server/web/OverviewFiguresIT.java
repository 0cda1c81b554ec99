package io.iploop.server.web;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Browser.PASSWORD;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.signIn;
import static io.iploop.server.testing.Browser.signInWithCode;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.OverviewFigures;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.web.internal.Fmt;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * One truth for every node figure (docs/product/dashboard.md#overview): after real traffic through
 * the local node, the customer's and the admin's overview, the admin supply page and the APIs
 * ({@code /api/nodes}, {@code /api/nodes/network}, {@code /api/proxy/locations},
 * {@code /api/admin/stats}) show the same online nodes, registered nodes, countries, quality and
 * bandwidth, and those equal the source: the gateway's connected nodes and the bytes carried.
 */
@PlatformTest
@BrowserTest
class OverviewFiguresIT {

    ChromeDriver driver;

    @Autowired
    DataPlane dataPlane;
    @Autowired
    NodesService nodes;
    @Autowired
    LiveNodes live;

    @Test
    void everyPageAndApiShowsTheSameNodeFiguresAsTheSource() throws Exception {
        JsonNode customer = Api.registerUnlimitedCustomer();
        String token = token(customer);
        String customerId = customer.at("/user/customerId").asString();
        String key = call("POST", "/api/proxy/keys", token, Map.of("name", "figures")).body().get("key").asString();
        long before = nodes.network().bandwidthBytes();

        // Real traffic through the gateway and the local node.
        int body = 500_000;
        try (TestOrigin origin = TestOrigin.http()) {
            Curl.Result r = Curl.run("-x", "http://" + customerId + ":" + key + "@127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy(),
                    origin.url("/bytes/" + body));
            assertThat(r.status()).as(r.stderr()).isEqualTo(200);
            assertThat(r.sizeDownload()).isEqualTo(body);
        }
        // The gateway flushes node counters about every second: wait until they include the body
        // and stand still (checked against the gateway's own list of connected nodes).
        NetworkSummary network = OverviewFigures.settledNetwork(nodes, live, before + body);
        assertThat(network.bandwidthBytes() - before).as("bytes carried include the body").isGreaterThanOrEqualTo(body);
        Fmt fmt = new Fmt();

        // The customer's overview: a customer with no nodes sees the network's figures, not zeros.
        signIn(customer.at("/user/email").asString(), PASSWORD);
        OverviewFigures.assertOverview(network);
        screenshots("overview-figures-customer");

        // The APIs the customer may call.
        OverviewFigures.assertCustomerApis(token, network);

        // The admin's overview, supply page and statistics API.
        Api.Admin admin = Api.newAdminWithTwoFactor();
        signInWithCode(admin.email(), PASSWORD, admin.secret());
        OverviewFigures.assertOverview(network);
        open("/admin");
        assertThat(textOf("supply-online")).isEqualTo(fmt.count(network.onlineNodes()) + " / " + fmt.count(network.registeredNodes()));
        assertThat(textOf("supply-bandwidth")).isEqualTo(fmt.bytes(network.bandwidthBytes()));
        assertThat(textOf("supply-quality")).isEqualTo(fmt.quality(network.averageQuality()));
        int onlineInBreakdown = driver.findElements(By.cssSelector("[data-test='breakdown-country'] [data-test='breakdown-online']"))
                .stream().map(WebElement::getText).mapToInt(t -> Integer.parseInt(t.replace(" online now", ""))).sum();
        assertThat(onlineInBreakdown).as("'online now' per country sums to the nodes online").isEqualTo(network.onlineNodes());
        screenshots("overview-figures-supply");
        JsonNode stats = call("GET", "/api/admin/stats", admin.token(), null).body();
        assertThat(stats.at("/nodes/online").asInt()).isEqualTo(network.onlineNodes());
        assertThat(stats.at("/nodes/total").asInt()).isEqualTo(network.registeredNodes());
        int onlineByCountry = 0;
        for (JsonNode n : stats.at("/nodes/onlineByCountry")) {
            onlineByCountry += n.asInt();
        }
        assertThat(onlineByCountry).isEqualTo(network.onlineNodes());
    }
}
