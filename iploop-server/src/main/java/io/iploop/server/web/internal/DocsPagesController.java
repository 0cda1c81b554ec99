package io.iploop.server.web.internal;

import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Plan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * The proxy endpoints page (docs/product/dashboard.md#proxy-endpoints-page: endpoint cards, cURL/Python/Node.js/Java examples with
 * the caller's customer id and a chosen key, the targeting reference, a form that composes the
 * credential string) and the docs page (docs/product/dashboard.md#proxy-endpoints-page: quick start, authentication, HTTP and SOCKS5,
 * geo-targeting, sessions, limits, response codes of docs/product/proxy.md, node agent). The proxy host is
 * {@code iploop.public-host}; ports are those the running gateway listens on (configured ones
 * while it does not run). The credential syntax itself lives in the client-side builder only as
 * presentation; the gateway remains the judge of what is valid. Stateless; thread-safe.
 */
@Controller
final class DocsPagesController {

    /** Sticky lifetimes the builder offers (proxy-password value to seconds), shown up to the plan's cap. */
    private static final Map<String, Long> LIFETIMES = orderedLifetimes();

    private static Map<String, Long> orderedLifetimes() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("120s", 120L);
        m.put("10", 600L);
        m.put("30", 1800L);
        m.put("1h", 3600L);
        return Collections.unmodifiableMap(m);
    }

    private final ApiKeysService keys;
    private final NodesService nodes;
    private final PlansService plans;
    private final DataPlane dataPlane;
    private final IploopProperties properties;
    private final JsonMapper json;

    DocsPagesController(ApiKeysService keys, NodesService nodes, PlansService plans, DataPlane dataPlane,
            IploopProperties properties, JsonMapper json) {
        this.json = json;
        this.keys = keys;
        this.nodes = nodes;
        this.plans = plans;
        this.dataPlane = dataPlane;
        this.properties = properties;
    }

    @GetMapping("/endpoints")
    String endpoints(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        proxy(model);
        List<ApiKey> usable = keys.list(me.userId()).stream().filter(k -> k.isActive() && k.replacedBy() == null).toList();
        model.addAttribute("keys", usable);
        OverviewPagesController.planCard(plans, me, model);
        // The builder offers only what the caller's plan allows (the gateway refuses the rest with
        // 403): its targeting options, sticky sessions and lifetimes up to the plan's cap.
        @Nullable Plan plan = (Plan) model.getAttribute("plan");
        List<String> targeting = plan == null ? List.of() : plan.targeting();
        boolean sticky = plan != null && plan.stickySessions();
        long maxLifetime = plan == null ? 0 : plan.maxStickyLifetimeSeconds();
        model.addAttribute("allowCountry", targeting.contains("country"));
        model.addAttribute("allowCity", targeting.contains("city"));
        model.addAttribute("allowSticky", sticky);
        model.addAttribute("lifetimes", LIFETIMES.entrySet().stream()
                .filter(e -> maxLifetime <= 0 || e.getValue() <= maxLifetime).map(Map.Entry::getKey).toList());
        model.addAttribute("endpointConfig", OverviewPagesController.safeJson(json.writeValueAsString(Map.of(
                "host", properties.publicHost(), "httpPort", model.getAttribute("httpPort"),
                "socksPort", model.getAttribute("socksPort"), "user", me.customerId(),
                "keyPrefix", usable.isEmpty() ? "" : usable.getFirst().keyPrefix()))));
        // Countries where nodes are online now (the live inventory), never a fixed list.
        model.addAttribute("locations", nodes.locations());
        return "endpoints";
    }

    @GetMapping("/docs")
    String docs(@AuthenticationPrincipal AuthenticatedUser me, Model model, HttpServletRequest request) {
        proxy(model);
        model.addAttribute("catalogue", plans.catalogue());
        String u = me.customerId();
        String http = properties.publicHost() + ":" + model.getAttribute("httpPort");
        String socks = properties.publicHost() + ":" + model.getAttribute("socksPort");
        model.addAttribute("snippets", Map.of(
                "quick", "curl -x http://" + u + ":API_KEY@" + http + " https://httpbin.org/ip",
                "curl", "curl -x http://" + u + ":API_KEY-country-us@" + http + " https://example.com",
                "python", """
                        import requests
                        proxy = "http://%s:API_KEY@%s"
                        print(requests.get("https://example.com", proxies={"http": proxy, "https": proxy}).status_code)\
                        """.formatted(u, http),
                "node", """
                        const { HttpsProxyAgent } = require("https-proxy-agent");
                        const agent = new HttpsProxyAgent("http://%s:API_KEY@%s");
                        require("axios").get("https://example.com", { httpsAgent: agent, proxy: false });\
                        """.formatted(u, http),
                "socks", "curl --socks5-hostname " + socks + " --proxy-user " + u + ":API_KEY https://example.com",
                "geo", "curl -x http://" + u + ":API_KEY-country-de-city-berlin@" + http + " https://example.com",
                "session", "curl -x http://" + u + ":API_KEY-session-s1-sesstype-sticky-lifetime-10@" + http + " https://example.com",
                "agent", """
                        ./iploop node login --gateway ws://%s:%s/ws --key ipn_...
                        ./iploop node config set api-url http://%s:%s
                        ./iploop node config set country DE
                        ./iploop node start -d\
                        """.formatted(properties.publicHost(), model.getAttribute("nodeHubPort"),
                                properties.publicHost(), request.getServerPort())));
        return "docs";
    }

    private void proxy(Model model) {
        DataPlane.Ports ports = dataPlane.ports().orElse(null);
        model.addAttribute("proxyHost", properties.publicHost());
        model.addAttribute("httpPort", ports == null ? properties.proxyPort() : ports.httpProxy());
        model.addAttribute("socksPort", ports == null ? properties.socksPort() : ports.socks());
        model.addAttribute("nodeHubPort", ports == null ? properties.nodeHubPort() : ports.nodeHub());
        model.addAttribute("gatewayRunning", dataPlane.gatewayRunning());
    }
}
