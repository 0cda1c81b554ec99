package io.iploop.server.testing;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Browser.driver;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.web.internal.Fmt;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;

/**
 * One truth for every node figure (docs/product/dashboard.md#overview), for the browser tests that
 * check it: the network summary once the gateway's counters stand still, checked against the
 * source (the gateway's connected nodes), the figures the overview must show for it, and the
 * customer APIs the page is built from. Static helpers on the bound server and browser, like
 * {@link Browser}'s.
 */
public final class OverviewFigures {

    private OverviewFigures() {
    }

    /**
     * Waits up to 20 s until the network's carried bytes are at least {@code atLeastBytes} and
     * stand still between two reads 1.5 s apart (the gateway flushes node counters about every
     * second), so every page read afterwards shows the same numbers; then checks the summary against
     * the gateway's connected nodes and returns it.
     */
    public static NetworkSummary settledNetwork(NodesService nodes, LiveNodes live, long atLeastBytes) {
        AtomicReference<NetworkSummary> settled = new AtomicReference<>(nodes.network());
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1500)).until(() -> {
            NetworkSummary now = nodes.network();
            boolean stable = now.bandwidthBytes() == settled.get().bandwidthBytes() && now.bandwidthBytes() >= atLeastBytes;
            settled.set(now);
            return stable;
        });
        NetworkSummary network = settled.get();
        List<ConnectedNode> connected = live.connected();
        long countries = connected.stream().map(ConnectedNode::country).filter(Objects::nonNull).distinct().count();
        assertThat(network.onlineNodes()).as("online = connected to the gateway").isEqualTo(connected.size()).isPositive();
        assertThat(network.countries()).as("countries of the connected nodes").isEqualTo((int) countries);
        assertThat(network.onlineByCountry().values().stream().mapToInt(Integer::intValue).sum())
                .as("every online node is on the map or counted as unknown").isEqualTo(network.onlineNodes());
        assertThat(network.registeredNodes()).isGreaterThanOrEqualTo(network.onlineNodes());
        return network;
    }

    /** The overview's figures for {@code network}, by {@code data-test} name, as the page formats them. */
    public static Map<String, String> expected(NetworkSummary network) {
        Fmt fmt = new Fmt();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("stat-active", fmt.count(network.onlineNodes()));
        expected.put("stat-total", fmt.count(network.registeredNodes()));
        expected.put("stat-countries", String.valueOf(network.countries()));
        expected.put("net-online", fmt.count(network.onlineNodes()));
        expected.put("net-quality", fmt.quality(network.averageQuality()));
        expected.put("net-bandwidth", fmt.bytes(network.bandwidthBytes()));
        return expected;
    }

    /**
     * Opens {@code /dashboard} and checks every figure of {@link #expected}, the map's caption and
     * legend against {@code network}, and that no "no node online" shows beside online nodes.
     */
    public static void assertOverview(NetworkSummary network) {
        open("/dashboard");
        expected(network).forEach((test, value) -> assertThat(textOf(test)).as(test).isEqualTo(value));
        assertThat(textOf("map-caption")).isEqualTo(network.countries() + (network.countries() == 1 ? " country · " : " countries · ")
                + network.onlineNodes() + (network.onlineNodes() == 1 ? " active node" : " active nodes"));
        int legend = driver().findElements(By.cssSelector("[data-test='map-legend'] strong")).stream()
                .mapToInt(e -> Integer.parseInt(e.getText())).sum();
        assertThat(legend).as("the map legend counts every online node").isEqualTo(network.onlineNodes());
        assertThat(driver().findElements(By.cssSelector("[data-test='map-empty']"))).as("no 'no node online' beside online nodes").isEmpty();
    }

    /**
     * Checks the customer APIs the overview is built from ({@code /api/nodes}, {@code
     * /api/nodes/network}, {@code /api/proxy/locations}) against {@code network}, called with the
     * customer's {@code token} (a bearer token or the browser's session cookie value).
     */
    public static void assertCustomerApis(String token, NetworkSummary network) {
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
    }
}
