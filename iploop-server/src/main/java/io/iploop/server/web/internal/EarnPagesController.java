package io.iploop.server.web.internal;

import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.earn.DeviceEarning;
import io.iploop.server.earn.EarnDevice;
import io.iploop.server.earn.EarnService;
import io.iploop.server.earn.EarnStats;
import io.iploop.server.nodes.IssuedNodeKey;
import io.iploop.server.nodes.NodeFilter;
import io.iploop.server.nodes.NodeView;
import io.iploop.server.nodes.NodesException;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.IploopProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The earn dashboard of docs/product/earn.md#earn-dashboard for node operators: home ({@code /earn}: balance, today,
 * active devices with the multi-device multiplier, tier progress, 30-day chart, devices, active
 * multipliers, "add new device" issuing a node key and showing the enrolment commands once), the
 * devices page ({@code /earn/devices}, refreshed through {@code /earn/devices/table}: every 10 s,
 * every 3 s while no device has connected yet) with pause, resume, rename and remove, the earnings
 * page (daily/weekly/monthly chart, per-device stacked bars, paginated table, CSV from
 * {@code /api/earn/earnings?format=csv}) and the referral page. Figures come from
 * {@link EarnService}, node keys and device IPs from {@link NodesService}; the cash-out and
 * settings pages are in {@link CashoutPagesController}. Credits are whole numbers, 1 credit = USD
 * 0.001 (docs/product/earn.md#credits). Stateless; thread-safe.
 */
@Controller
final class EarnPagesController {

    /** Rows per page of the earnings table. */
    static final int EARNINGS_PAGE_SIZE = 25;

    private static final Map<String, String> DONE = Map.of(
            "paused", "Device paused. The gateway stops sending it new traffic within a second.",
            "resumed", "Device resumed. It takes traffic again.",
            "renamed", "Device renamed.",
            "removed", "Device removed. It is paused and comes back only if its agent registers again.");

    private final EarnService earn;
    private final NodesService nodes;
    private final DataPlane dataPlane;
    private final IploopProperties properties;
    private final JsonMapper json;

    EarnPagesController(EarnService earn, NodesService nodes, DataPlane dataPlane, IploopProperties properties, JsonMapper json) {
        this.earn = earn;
        this.nodes = nodes;
        this.dataPlane = dataPlane;
        this.properties = properties;
        this.json = json;
    }

    /** Earn home; {@code ?add} opens the "add new device" steps. */
    @GetMapping("/earn")
    String home(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String add, Model model) {
        model.addAttribute("openAdd", add != null);
        return home(me, model);
    }

    private String home(AuthenticatedUser me, Model model) {
        model.addAttribute("balance", earn.balance(me.userId()));
        model.addAttribute("devices", earn.devices(me.userId()));
        EarnStats stats = earn.stats(me.userId(), "30d");
        model.addAttribute("stats", stats);
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("earnings", series(daily(stats)));
        model.addAttribute("chartJson", OverviewPagesController.safeJson(json.writeValueAsString(chart)));
        return "earn/home";
    }

    /**
     * Issues a node key for a new device and renders the home page with the enrolment commands
     * filled in: the key is a secret shown once, so it is rendered directly, never redirected with.
     */
    @PostMapping("/earn/devices/add")
    String addDevice(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String name,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        model.addAttribute("openAdd", true);
        String n = name.strip().isEmpty() ? "My device" : name.strip();
        try {
            if (n.length() > 100) {
                model.addAttribute("addError", "The name must be at most 100 characters");
                response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            } else {
                IssuedNodeKey issued = nodes.issueNodeKey(me.userId(), n);
                model.addAttribute("issued", issued);
                // Issuing made the account an operator after the layout's model was filled: show the Earn section now.
                model.addAttribute("showEarn", true);
                model.addAttribute("commands", commands(issued.key(), n, request));
            }
        } catch (NodesException e) {
            model.addAttribute("addError", e.getMessage());
            response.setStatus(e.status().value());
        }
        return home(me, model);
    }

    /** The agent's CLI and Docker commands with the key filled in (README "Running a node agent", docs/node-agent.md). */
    private Map<String, String> commands(String key, String name, HttpServletRequest request) {
        DataPlane.Ports ports = dataPlane.ports().orElse(null);
        int hub = ports == null ? properties.nodeHubPort() : ports.nodeHub();
        String gateway = "ws://" + properties.publicHost() + ":" + hub + "/ws";
        String api = request.getScheme() + "://" + properties.publicHost() + ":" + request.getServerPort();
        String device = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        Map<String, String> c = new LinkedHashMap<>();
        c.put("cli", "./iploop node login --gateway " + gateway + " --key " + key + "\n"
                + "./iploop node config set api-url " + api + "\n"
                + "./iploop node config set device-name " + device + "\n"
                + "./iploop node start -d");
        c.put("docker", "docker run -d --name proxyclaw --restart unless-stopped \\\n"
                + "  -e PROXYCLAW_KEY=" + key + " \\\n"
                + "  -e PROXYCLAW_GATEWAY=" + gateway + " \\\n"
                + "  -e PROXYCLAW_API_URL=" + api + " \\\n"
                + "  -e PROXYCLAW_DEVICE_NAME=" + device + " \\\n"
                + "  -v proxyclaw:/home/proxyclaw/.proxyclaw \\\n"
                + "  iploop/proxyclaw-node");
        c.put("gateway", gateway);
        c.put("api", api);
        return c;
    }

    @GetMapping("/earn/devices")
    String devices(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        deviceTable(me, model);
        return "earn/devices";
    }

    @GetMapping("/earn/devices/table")
    String devicesTable(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        deviceTable(me, model);
        return "fragments/earn-devices :: table";
    }

    private void deviceTable(AuthenticatedUser me, Model model) {
        List<EarnDevice> list = earn.devices(me.userId());
        // The earn API has no IP: the node listing of the same owner has it, matched on the agent's device id.
        Map<String, String> ips = new HashMap<>();
        for (NodeView n : nodes.list(me.userId(), false, NodeFilter.ALL).nodes()) {
            if (n.ipAddress() != null) {
                ips.put(n.deviceId(), n.ipAddress());
            }
        }
        model.addAttribute("devices", list);
        model.addAttribute("ips", ips);
        model.addAttribute("online", list.stream().filter(d -> d.status().equals("online")).count());
        model.addAttribute("updatedAt", Instant.now());
    }

    @PostMapping("/earn/devices/{id}/pause")
    String pause(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        earn.setPaused(me.userId(), id, true);
        return "redirect:/earn/devices?done=paused";
    }

    @PostMapping("/earn/devices/{id}/resume")
    String resume(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        earn.setPaused(me.userId(), id, false);
        return "redirect:/earn/devices?done=resumed";
    }

    @PostMapping("/earn/devices/{id}/rename")
    String rename(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam(defaultValue = "") String name,
            HttpServletResponse response, Model model) {
        try {
            earn.rename(me.userId(), id, name.strip());
            return "redirect:/earn/devices?done=renamed";
        } catch (NodesException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("renameError", e.getMessage());
            model.addAttribute("renameId", id);
            response.setStatus(e.status().value());
            deviceTable(me, model);
            return "earn/devices";
        }
    }

    /**
     * A device's traffic page (docs/product/earn.md#traffic-transparency): destination hosts, ports
     * and bytes per UTC day, and the agent byte reconciliation (docs/operator-transparency.md). Another operator's device is 404, bad dates 400 (the error page names them).
     */
    @GetMapping("/earn/devices/{id}/traffic")
    String traffic(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(required = false) @Nullable String from, @RequestParam(required = false) @Nullable String to,
            Model model) {
        EarnDevice device = earn.devices(me.userId()).stream().filter(d -> d.id().equals(id)).findFirst().orElse(null);
        List<io.iploop.server.earn.DeviceTraffic> rows = earn.traffic(me.userId(), id, from, to);
        model.addAttribute("device", device);
        model.addAttribute("rows", rows);
        model.addAttribute("reconciliation", earn.reconciliation(me.userId(), id, from, to));
        model.addAttribute("from", from == null ? "" : from);
        model.addAttribute("to", to == null ? "" : to);
        return "earn/traffic";
    }

    @PostMapping("/earn/devices/{id}/remove")
    String remove(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        earn.remove(me.userId(), id);
        return "redirect:/earn/devices?done=removed";
    }

    /**
     * The earnings page. {@code view} is {@code daily} (30 days), {@code weekly} (13 weeks from
     * Monday) or {@code monthly} (12 months); anything else is daily. {@code page} is 1-based.
     */
    @GetMapping("/earn/earnings")
    String earnings(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "daily") String view,
            @RequestParam(defaultValue = "1") int page, Model model) {
        String v = switch (view) {
            case "weekly", "monthly" -> view;
            default -> "daily";
        };
        List<Bucket> buckets = switch (v) {
            case "weekly" -> group(earn.stats(me.userId(), "90d"), d -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
            case "monthly" -> group(earn.stats(me.userId(), "1y"), d -> d.withDayOfMonth(1));
            default -> daily(earn.stats(me.userId(), "30d"));
        };
        int p = Math.max(1, Math.min(page, 4000));
        // Newest first; one extra row tells whether a next page exists.
        List<DeviceEarning> rows = earn.earnings(me.userId(), Math.min(100_000, p * EARNINGS_PAGE_SIZE + 1));
        int from = Math.min(rows.size(), (p - 1) * EARNINGS_PAGE_SIZE);
        int to = Math.min(rows.size(), p * EARNINGS_PAGE_SIZE);
        model.addAttribute("view", v);
        model.addAttribute("page", p);
        model.addAttribute("rows", rows.subList(from, to));
        model.addAttribute("hasNext", rows.size() > to);
        model.addAttribute("totalCredits", buckets.stream().mapToLong(Bucket::credits).sum());
        model.addAttribute("totalBytes", buckets.stream().mapToLong(Bucket::bytes).sum());
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("unit", v);
        chart.put("earnings", series(buckets));
        chart.put("devices", perDevice(earn.earnings(me.userId(), 5000)));
        model.addAttribute("chartJson", OverviewPagesController.safeJson(json.writeValueAsString(chart)));
        model.addAttribute("hasEarnings", !rows.isEmpty());
        return "earn/earnings";
    }

    @GetMapping("/earn/referral")
    String referral(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        var code = earn.referralCode(me.userId());
        model.addAttribute("referral", code);
        model.addAttribute("stats", earn.referralStats(me.userId()));
        model.addAttribute("referrals", earn.referrals(me.userId()));
        String text = "I share my unused bandwidth with IPLoop and earn for it. Join with my link: ";
        String link = enc(code.link());
        model.addAttribute("share", List.of(
                new Share("X (Twitter)", "https://twitter.com/intent/tweet?text=" + enc(text) + "&url=" + link),
                new Share("Facebook", "https://www.facebook.com/sharer/sharer.php?u=" + link),
                new Share("WhatsApp", "https://wa.me/?text=" + enc(text + code.link())),
                new Share("Telegram", "https://t.me/share/url?url=" + link + "&text=" + enc(text)),
                new Share("E-mail", "mailto:?subject=" + enc("Earn with IPLoop") + "&body=" + enc(text + code.link()))));
        return "earn/referral";
    }

    /** A share link: plain {@code <a>}, no third-party script (docs/product/earn.md#referrals). */
    record Share(String label, String href) {}

    /** One chart bucket: its first day, bytes carried and credits credited. */
    record Bucket(LocalDate start, long bytes, long credits) {}

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<Bucket> daily(EarnStats stats) {
        return stats.days().stream().map(d -> new Bucket(d.date(), d.bytes(), d.credits())).toList();
    }

    private static List<Bucket> group(EarnStats stats, java.util.function.UnaryOperator<LocalDate> key) {
        Map<LocalDate, long[]> sums = new LinkedHashMap<>();
        for (EarnStats.Day d : stats.days()) {
            long[] s = sums.computeIfAbsent(key.apply(d.date()), k -> new long[2]);
            s[0] += d.bytes();
            s[1] += d.credits();
        }
        List<Bucket> out = new ArrayList<>();
        sums.forEach((k, s) -> out.add(new Bucket(k, s[0], s[1])));
        return out;
    }

    /** Chart.js arrays: labels (ISO dates), USD (credits / 1000), GB (10^9 bytes, 3 decimals), credits. */
    private static Map<String, Object> series(List<Bucket> buckets) {
        List<String> labels = new ArrayList<>();
        List<BigDecimal> usd = new ArrayList<>();
        List<Double> gb = new ArrayList<>();
        List<Long> credits = new ArrayList<>();
        for (Bucket b : buckets) {
            labels.add(b.start().toString());
            usd.add(BigDecimal.valueOf(b.credits(), 3));
            gb.add(Math.round(b.bytes() / 1e9 * 1000) / 1000d);
            credits.add(b.credits());
        }
        return Map.of("labels", labels, "usd", usd, "gb", gb, "credits", credits);
    }

    /** Credits per UTC day (last 30 days) and device, for the stacked bar chart. */
    private static Map<String, Object> perDevice(List<DeviceEarning> rows) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> labels = new ArrayList<>();
        for (int i = 29; i >= 0; i--) {
            labels.add(today.minusDays(i).toString());
        }
        Map<String, long[]> byDevice = new LinkedHashMap<>();
        for (DeviceEarning r : rows) {
            int idx = labels.indexOf(r.periodEnd().atZone(ZoneOffset.UTC).toLocalDate().toString());
            if (idx < 0) {
                continue;
            }
            String name = r.deviceName() != null ? r.deviceName() : r.deviceId().toString().substring(0, 8);
            byDevice.computeIfAbsent(name, k -> new long[labels.size()])[idx] += r.totalCredits();
        }
        List<Map<String, Object>> datasets = new ArrayList<>();
        byDevice.forEach((name, values) -> datasets.add(Map.of("label", name, "data", values)));
        return Map.of("labels", labels, "datasets", datasets);
    }
}
