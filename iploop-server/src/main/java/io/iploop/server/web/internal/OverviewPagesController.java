package io.iploop.server.web.internal;

import io.iploop.server.nodes.Locations;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodeFilter;
import io.iploop.server.nodes.NodeListing;
import io.iploop.server.nodes.NodesException;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard overview (docs/product/dashboard.md#overview: four stat cards, active nodes, network statistics, world
 * map of nodes by country, refreshed every 30 s through {@code /dashboard/live}) with the plan and
 * usage card, and the nodes page (docs/product/nodes.md#node-list-and-filters: filters, table on desktop and cards on mobile, 10 s
 * auto-refresh through {@code /nodes/table}). Data come from {@link NodesService} (the caller's own
 * nodes, all nodes for an admin, plus network-wide live counts) and {@link PlansService}.
 * Stateless; thread-safe.
 */
@Controller
final class OverviewPagesController {

    private final NodesService nodes;
    private final PlansService plans;
    private final JsonMapper json;

    OverviewPagesController(NodesService nodes, PlansService plans, JsonMapper json) {
        this.nodes = nodes;
        this.plans = plans;
        this.json = json;
    }

    @GetMapping("/dashboard")
    String dashboard(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        live(me, model);
        planCard(plans, me, model);
        return "dashboard";
    }

    @GetMapping("/dashboard/live")
    String dashboardLive(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        live(me, model);
        return "fragments/dashboard-live :: live";
    }

    private void live(AuthenticatedUser me, Model model) {
        NodeListing listing = nodes.list(me.userId(), me.isAdmin(),
                new NodeFilter(null, "available", null, null, 1, 20));
        // Every network figure on the page (cards, map, statistics) comes from this one summary, the
        // same the admin supply page and the APIs use; only the node list below is scoped to the caller.
        NetworkSummary network = nodes.network();
        Map<String, Integer> byCountry = new LinkedHashMap<>();
        for (Locations.Country c : network.locations().countries()) {
            byCountry.put(c.code(), c.nodeCount());
        }
        model.addAttribute("listing", listing);
        model.addAttribute("network", network);
        model.addAttribute("locations", network.locations());
        model.addAttribute("mapJson", safeJson(json.writeValueAsString(byCountry)));
    }

    @GetMapping("/nodes")
    String nodesPage(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String country,
            @RequestParam(required = false) @Nullable String status, @RequestParam(required = false) @Nullable String connectionType,
            @RequestParam(required = false) @Nullable String search, HttpServletResponse response, Model model) {
        table(me, country, status, connectionType, search, response, model);
        model.addAttribute("locations", nodes.locations());
        return "nodes";
    }

    @GetMapping("/nodes/table")
    String nodesTable(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String country,
            @RequestParam(required = false) @Nullable String status, @RequestParam(required = false) @Nullable String connectionType,
            @RequestParam(required = false) @Nullable String search, HttpServletResponse response, Model model) {
        table(me, country, status, connectionType, search, response, model);
        return "fragments/nodes-table :: table";
    }

    private void table(AuthenticatedUser me, @Nullable String country, @Nullable String status, @Nullable String connectionType,
            @Nullable String search, HttpServletResponse response, Model model) {
        model.addAttribute("filter", new LinkedHashMap<>(Map.of(
                "country", country == null ? "" : country, "status", status == null ? "" : status,
                "connectionType", connectionType == null ? "" : connectionType, "search", search == null ? "" : search)));
        try {
            NodeFilter filter = new NodeFilter(country, status, connectionType, search, 1, NodeFilter.DEFAULT_LIMIT);
            model.addAttribute("listing", nodes.list(me.userId(), me.isAdmin(), filter));
        } catch (NodesException e) {
            // An invalid filter is the user's typing, not a broken page: show it beside the filters.
            model.addAttribute("filterError", e.getMessage());
            model.addAttribute("listing", nodes.list(me.userId(), me.isAdmin(), NodeFilter.ALL));
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        }
    }

    /** Adds {@code subscription} and {@code plan} (either may be null) for the plan-and-usage card fragment. */
    static void planCard(PlansService plans, AuthenticatedUser me, Model model) {
        Optional<Subscription> sub = plans.current(me.userId());
        @Nullable Plan plan = sub.flatMap(s -> plans.find(s.planId())).orElse(null);
        model.addAttribute("subscription", sub.orElse(null));
        model.addAttribute("plan", plan);
    }

    /** JSON safe to embed in a {@code <script>} element: no {@code </script>} can close it early. */
    static String safeJson(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    }
}
