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

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import io.iploop.server.web.internal.Fmt;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
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
        // and stand still, so every page below reads the same numbers.
        AtomicReference<NetworkSummary> settled = new AtomicReference<>(nodes.network());
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1500)).until(() -> {
            NetworkSummary now = nodes.network();
            boolean stable = now.bandwidthBytes() == settled.get().bandwidthBytes() && now.bandwidthBytes() >= before + body;
            settled.set(now);
            return stable;
        });
        NetworkSummary network = settled.get();

        // The source: the gateway's own list of connected nodes.
        List<ConnectedNode> connected = live.connected();
        long countries = connected.stream().map(ConnectedNode::country).filter(Objects::nonNull).distinct().count();
        assertThat(network.onlineNodes()).as("online = connected to the gateway").isEqualTo(connected.size()).isPositive();
        assertThat(network.countries()).as("countries of the connected nodes").isEqualTo((int) countries);
        assertThat(network.onlineByCountry().values().stream().mapToInt(Integer::intValue).sum())
                .as("every online node is on the map or counted as unknown").isEqualTo(network.onlineNodes());
        assertThat(network.bandwidthBytes() - before).as("bytes carried include the body").isGreaterThanOrEqualTo(body);
        assertThat(network.registeredNodes()).isGreaterThanOrEqualTo(network.onlineNodes());

        Fmt fmt = new Fmt();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("stat-active", fmt.count(network.onlineNodes()));
        expected.put("stat-total", fmt.count(network.registeredNodes()));
        expected.put("stat-countries", String.valueOf(network.countries()));
        expected.put("net-online", fmt.count(network.onlineNodes()));
        expected.put("net-quality", fmt.quality(network.averageQuality()));
        expected.put("net-bandwidth", fmt.bytes(network.bandwidthBytes()));

        // The customer's overview: a customer with no nodes sees the network's figures, not zeros.
        signIn(customer.at("/user/email").asString(), PASSWORD);
        assertOverview(expected, network);
        screenshots("overview-figures-customer");

        // The APIs the customer may call.
        JsonNode listing = call("GET", "/api/nodes", token, null).body();
        assertThat(listing.at("/health/connectedNodes").asInt()).isEqualTo(network.onlineNodes());
        assertThat(listing.at("/stats/networkOnlineNodes").asInt()).isEqualTo(network.onlineNodes());
        assertThat(listing.at("/stats/networkCountries").asInt()).isEqualTo(network.countries());
        JsonNode api = call("GET", "/api/nodes/network", token, null).body();
        assertThat(api.get("onlineNodes").asInt()).isEqualTo(network.onlineNodes());
        assertThat(api.get("registeredNodes").asInt()).isEqualTo(network.registeredNodes());
        assertThat(api.get("bandwidthBytes").asLong()).isEqualTo(network.bandwidthBytes());
        JsonNode locations = call("GET", "/api/proxy/locations", null, null).body();
        assertThat(locations.get("totalNodes").asInt()).isEqualTo(network.onlineNodes());
        assertThat(locations.get("countries").size()).isEqualTo(network.countries());

        // The admin's overview, supply page and statistics API.
        Api.Admin admin = Api.newAdminWithTwoFactor();
        signInWithCode(admin.email(), PASSWORD, admin.secret());
        assertOverview(expected, network);
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

    private void assertOverview(Map<String, String> expected, NetworkSummary network) {
        open("/dashboard");
        expected.forEach((test, value) -> assertThat(textOf(test)).as(test).isEqualTo(value));
        assertThat(textOf("map-caption")).isEqualTo(network.countries() + (network.countries() == 1 ? " country · " : " countries · ")
                + network.onlineNodes() + (network.onlineNodes() == 1 ? " active node" : " active nodes"));
        int legend = driver.findElements(By.cssSelector("[data-test='map-legend'] strong")).stream()
                .mapToInt(e -> Integer.parseInt(e.getText())).sum();
        assertThat(legend).as("the map legend counts every online node").isEqualTo(network.onlineNodes());
        assertThat(driver.findElements(By.cssSelector("[data-test='map-empty']"))).as("no 'no node online' beside online nodes").isEmpty();
    }
}
