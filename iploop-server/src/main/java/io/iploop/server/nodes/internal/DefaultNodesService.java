package io.iploop.server.nodes.internal;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.spi.LocationKeys;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.nodes.AgentTrafficReport;
import io.iploop.server.nodes.CityIsps;
import io.iploop.server.nodes.DeviceTrafficCounts;
import io.iploop.server.nodes.Device;
import io.iploop.server.nodes.DeviceRegistration;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.nodes.Inventory;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.nodes.IssuedNodeKey;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.Locations;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodeFilter;
import io.iploop.server.nodes.NodeKey;
import io.iploop.server.nodes.NodeListing;
import io.iploop.server.nodes.NodeStats;
import io.iploop.server.nodes.NodeView;
import io.iploop.server.nodes.NodesException;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.platform.v2.Paged;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The nodes service: registry rows merged with {@link LiveNodes}. Thread-safe. */
@Service
class DefaultNodesService implements NodesService {

    /** Unrevoked node keys per operator. */
    static final int MAX_NODE_KEYS_PER_USER = 100;
    static final int DISPLAY_PREFIX_LENGTH = 12;

    private final NodeRepository nodes;
    private final NodeKeyRepository keys;
    private final LiveNodes live;
    private final AccountsService accounts;
    private final AuditService audit;
    private final NodeModerationRepository moderations;
    private final TrafficReconciliationRepository reconciliation;
    private final Clock clock;

    private final NodeAdmissionCache admissionCache;

    DefaultNodesService(NodeRepository nodes, NodeKeyRepository keys, LiveNodes live, AccountsService accounts,
            AuditService audit, NodeModerationRepository moderations, TrafficReconciliationRepository reconciliation,
            Clock clock, NodeAdmissionCache admissionCache) {
        this.admissionCache = admissionCache;
        this.moderations = moderations;
        this.reconciliation = reconciliation;
        this.clock = clock;
        this.nodes = nodes;
        this.keys = keys;
        this.live = live;
        this.accounts = accounts;
        this.audit = audit;
    }

    @Override
    public NodeListing list(UUID callerId, boolean admin, NodeFilter filter) {
        List<ConnectedNode> connected = live.connected();
        @Nullable UUID owner = admin ? null : callerId;
        List<NodeView> page = views(nodes.find(owner, filter), connected);
        long total = nodes.count(owner, filter);
        NodeStats stats = stats(callerId, admin, connected);
        String health = live.attached() ? "healthy" : "unavailable";
        return new NodeListing(page, page.size(), total, filter.page(), filter.limit(), stats,
                new NodeListing.Health(health, stats.networkOnlineNodes()), Instant.now());
    }

    @Override
    public NetworkSummary network() {
        List<ConnectedNode> connected = serving(); // paused devices serve nobody, so they are not "active"
        Locations locations = locations(connected);
        NodeRepository.Totals totals = nodes.totals();
        int placed = locations.countries().stream().mapToInt(Locations.Country::nodeCount).sum();
        return new NetworkSummary(live.attached(), connected.size(), totals.nodes(), locations,
                connected.size() - placed, averageQuality(totals.qualitySum(), totals.nodes()), totals.bytes(),
                totals.requests(), totals.successes(), locations.timestamp());
    }

    /** Mean quality with one decimal, 0 for no nodes: the same rounding for every scope. */
    private static double averageQuality(long sum, int count) {
        return count == 0 ? 0 : Math.round(sum * 10.0 / count) / 10.0;
    }

    @Override
    public Paged<NodeView> page(UUID callerId, boolean admin, NodeFilter filter) {
        @Nullable UUID owner = admin ? null : callerId;
        return new Paged<>(views(nodes.find(owner, filter), live.connected()), nodes.count(owner, filter));
    }

    @Override
    public NodeStats stats(UUID callerId, boolean admin) {
        return stats(callerId, admin, live.connected());
    }

    /**
     * The statistics over the caller's nodes (every node for an admin) from one grouped query plus
     * the live view, never every row (docs/scale.md#node-list). Countries are the registered ones:
     * the gateway admits a node with the location the same admission stored, so they agree with the
     * live ones.
     */
    private NodeStats stats(UUID callerId, boolean admin, List<ConnectedNode> connected) {
        @Nullable UUID owner = admin ? null : callerId;
        Map<String, Integer> byCountry = new HashMap<>();
        Map<String, Integer> byDevice = new HashMap<>();
        Map<String, Integer> byType = new HashMap<>();
        int total = 0;
        long bandwidth = 0;
        long requests = 0;
        long successes = 0;
        long quality = 0;
        for (NodeRepository.StatsGroup g : nodes.statsGroups(owner)) {
            byCountry.merge(g.country(), g.nodes(), Integer::sum);
            byDevice.merge(g.platform(), g.nodes(), Integer::sum);
            byType.merge(g.connectionType(), g.nodes(), Integer::sum);
            total += g.nodes();
            bandwidth += g.bytes();
            requests += g.requests();
            successes += g.successes();
            quality += g.qualitySum();
        }
        Map<String, Integer> onlineByCountry = new HashMap<>();
        int online = 0;
        for (ConnectedNode c : connected) {
            if (owner == null || owner.equals(c.ownerUserId())) {
                online++;
                onlineByCountry.merge(c.country() == null ? NetworkSummary.UNKNOWN_COUNTRY : c.country(), 1, Integer::sum);
            }
        }
        Locations network = locations(connected);
        return new NodeStats(admin ? "all" : "own", total, online, byCountry, onlineByCountry, byDevice, byType,
                bandwidth, requests, successes, averageQuality(quality, total), network.totalNodes(), network.countries().size());
    }

    /**
     * The connected nodes customers can be served by: not paused or removed by their owners, who
     * decide on the dashboard (docs/product/nodes.md), and not banned or quarantined by an admin
     * (docs/moderation.md). Public locations and inventory count only these.
     */
    private List<ConnectedNode> serving() {
        List<ConnectedNode> connected = live.connected();
        if (connected.isEmpty()) {
            return connected;
        }
        Set<UUID> paused = new HashSet<>(nodes.pausedIds());
        paused.addAll(moderations.moderatedIds());
        return paused.isEmpty() ? connected : connected.stream().filter(n -> !paused.contains(n.nodeId())).toList();
    }

    @Override
    public Locations locations() {
        return locations(serving());
    }

    private static Locations locations(List<ConnectedNode> connected) {
        Map<String, List<ConnectedNode>> byCountry = connected.stream()
                .filter(n -> n.country() != null)
                .collect(Collectors.groupingBy(n -> Objects.requireNonNull(n.country())));
        List<Locations.Country> countries = new ArrayList<>();
        byCountry.forEach((code, list) -> {
            Map<String, Long> cities = list.stream().filter(n -> n.city() != null)
                    .collect(Collectors.groupingBy(n -> Objects.requireNonNull(n.city()), TreeMap::new, Collectors.counting()));
            List<Locations.City> cityList = cities.entrySet().stream()
                    .map(e -> new Locations.City(e.getKey(), e.getValue().intValue()))
                    .sorted(Comparator.comparingInt(Locations.City::nodeCount).reversed().thenComparing(Locations.City::name))
                    .toList();
            countries.add(new Locations.Country(code, countryName(code), list.size(), cityList));
        });
        countries.sort(Comparator.comparingInt(Locations.Country::nodeCount).reversed().thenComparing(Locations.Country::code));
        return new Locations(countries, connected.size(), Instant.now());
    }

    @Override
    public Locations.Country country(String country) {
        String code = countryCode(country);
        return locations().countries().stream().filter(c -> c.code().equals(code)).findFirst()
                .orElseGet(() -> new Locations.Country(code, countryName(code), 0, List.of()));
    }

    @Override
    public CityIsps isps(String country, String city) {
        String code = countryCode(country);
        String cityKey = Objects.requireNonNullElse(LocationKeys.name(city), "");
        List<ConnectedNode> inCity = serving().stream()
                .filter(n -> code.equals(n.country()) && cityKey.equals(LocationKeys.name(n.city())))
                .toList();
        Map<IspKey, Long> counts = inCity.stream()
                .collect(Collectors.groupingBy(n -> new IspKey(n.isp(), n.asn()), Collectors.counting()));
        List<CityIsps.Isp> isps = counts.entrySet().stream()
                .map(e -> new CityIsps.Isp(e.getKey().isp(), e.getKey().asn(), e.getValue().intValue()))
                .sorted(Comparator.comparingInt(CityIsps.Isp::nodeCount).reversed()
                        .thenComparing(CityIsps.Isp::asn)
                        .thenComparing(i -> Objects.requireNonNullElse(i.name(), "")))
                .toList();
        return new CityIsps(code, cityKey, inCity.size(), isps);
    }

    @Override
    public Inventory inventory(@Nullable String country) {
        String code = country == null || country.isBlank() ? null : countryCode(country);
        List<ConnectedNode> connected = serving().stream()
                .filter(n -> code == null || code.equals(n.country())).toList();
        Map<Inventory.Entry, List<ConnectedNode>> groups = connected.stream()
                .collect(Collectors.groupingBy(n -> new Inventory.Entry(n.country(), n.city(), n.asn(), n.isp(),
                        n.connectionType(), 0, 0)));
        List<Inventory.Entry> entries = groups.entrySet().stream()
                .map(e -> {
                    Inventory.Entry k = e.getKey();
                    return new Inventory.Entry(k.country(), k.city(), k.asn(), k.isp(), k.connectionType(),
                            e.getValue().size(), idle(e.getValue()));
                })
                .sorted(Comparator.comparingInt(Inventory.Entry::nodes).reversed()
                        .thenComparing(e -> Objects.requireNonNullElse(e.country(), "~"))
                        .thenComparing(e -> Objects.requireNonNullElse(e.city(), "~")))
                .toList();
        return new Inventory(connected.size(), idle(connected), entries, Instant.now());
    }

    private static int idle(List<ConnectedNode> nodes) {
        return (int) nodes.stream().filter(n -> n.activeStreams() == 0).count();
    }

    /** The upper-case ISO code. @throws NodesException {@code INVALID_COUNTRY} */
    private static String countryCode(String country) {
        if (!country.matches("[A-Za-z]{2}")) {
            throw new NodesException(NodesException.Reason.INVALID_COUNTRY,
                    "country: '" + country + "' (expected: ISO-3166 alpha-2, e.g. US)", "country");
        }
        return country.toUpperCase(Locale.ROOT);
    }

    private static String countryName(String code) {
        String name = JdbcNodeAuthenticator.countryName(code);
        return name == null ? code : name;
    }

    private record IspKey(@Nullable String isp, int asn) {}

    @Override
    @Transactional
    public IssuedNodeKey issueNodeKey(UUID userId, String name) {
        if (keys.countByOwner(userId) >= MAX_NODE_KEYS_PER_USER) {
            throw new NodesException(NodesException.Reason.NODE_KEY_LIMIT_REACHED,
                    "an operator can have at most " + MAX_NODE_KEYS_PER_USER + " active node keys", null);
        }
        accounts.becomeOperator(userId);
        String key = NODE_KEY_PREFIX + SecureTokens.randomHex(24);
        NodeKey created = keys.insert(userId, name.strip(), SecureTokens.sha256Hex(key), key.substring(0, DISPLAY_PREFIX_LENGTH));
        audit.record(new AuditEvent(userId, AuditAction.NODE_KEY_ISSUED, "node_key", created.id().toString(),
                Map.of("name", created.name())));
        return new IssuedNodeKey(created, key);
    }

    @Override
    public List<NodeKey> nodeKeys(UUID userId) {
        return keys.findByOwner(userId);
    }

    @Override
    public NodeKey nodeKey(UUID userId, UUID keyId) {
        return keys.findByOwner(userId, keyId).orElseThrow(() -> new NodesException(
                NodesException.Reason.NODE_KEY_NOT_FOUND, "no node key " + keyId, null));
    }

    @Override
    @Transactional
    public NodeKey revokeNodeKey(UUID userId, UUID keyId) {
        NodeKey before = nodeKey(userId, keyId);
        if (before.revokedAt() != null) {
            return before;
        }
        NodeKey revoked = keys.revoke(userId, keyId).orElseThrow(() -> new NodesException(
                NodesException.Reason.NODE_KEY_NOT_FOUND, "no node key " + keyId, null));
        admissionCache.keysChanged(); // a HELLO with it is refused from now on, not after the cache's TTL
        audit.record(new AuditEvent(userId, AuditAction.NODE_KEY_REVOKED, "node_key", keyId.toString(),
                Map.of("name", revoked.name())));
        return revoked;
    }

    @Override
    public void markAllOffline() {
        nodes.markAllOffline();
    }

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Set<String> INSTALL_METHODS = Set.of("docker", "linux", "windows", "macos", "android");

    @Override
    @Transactional
    public Device registerDevice(String nodeKey, DeviceRegistration r) {
        NodeKeyRepository.ActiveKey key = activeKey(nodeKey);
        if (!DEVICE_ID.matcher(r.deviceId()).matches()) {
            throw invalid("deviceId", "deviceId: 1-128 characters of [A-Za-z0-9._:-]");
        }
        String method = r.installMethod().strip().toLowerCase(Locale.ROOT);
        if (!INSTALL_METHODS.contains(method)) {
            throw invalid("installMethod", "installMethod: '" + r.installMethod()
                    + "' (expected: docker, linux, windows, macos or android)");
        }
        String name = r.deviceName() == null || r.deviceName().isBlank() ? null : deviceName(r.deviceName());
        String version = r.nodeVersion() == null || r.nodeVersion().isBlank() ? null : r.nodeVersion().strip();
        if (version != null && version.length() > 40) {
            throw invalid("nodeVersion", "nodeVersion: at most 40 characters");
        }
        UUID id = nodes.register(key.ownerUserId(), key.id(), new DeviceRegistration(r.deviceId(), name, method, version))
                .orElseThrow(() -> new NodesException(NodesException.Reason.DEVICE_TAKEN,
                        "this device id is registered to another account", "deviceId"));
        keys.touch(key.id());
        return device(key.ownerUserId(), id);
    }

    /** The active key {@code nodeKey} names, whose account is active; else 401 {@code invalid_node_key}. */
    private NodeKeyRepository.ActiveKey activeKey(String nodeKey) {
        if (!nodeKey.matches(NODE_KEY_PREFIX + "[0-9a-f]{48}")) {
            throw new NodesException(NodesException.Reason.INVALID_NODE_KEY, "invalid or revoked node key", null);
        }
        return keys.findActiveByHash(SecureTokens.sha256Hex(nodeKey))
                .filter(k -> accounts.find(k.ownerUserId()).map(a -> a.status() == UserStatus.ACTIVE).orElse(false))
                .orElseThrow(() -> new NodesException(NodesException.Reason.INVALID_NODE_KEY,
                        "invalid or revoked node key, or its account is not active", null));
    }

    @Override
    @Transactional
    public void reportAgentTraffic(String nodeKey, AgentTrafficReport r) {
        NodeKeyRepository.ActiveKey key = activeKey(nodeKey);
        if (r.deviceId() == null || !DEVICE_ID.matcher(r.deviceId()).matches()) {
            throw report("deviceId", "deviceId: 1-128 characters of [A-Za-z0-9._:-]");
        }
        if (r.runId() == null) {
            throw report("runId", "runId: required (a UUID the agent picks at start)");
        }
        if (r.day() == null) {
            throw report("day", "day: required (YYYY-MM-DD, UTC)");
        }
        if (r.bytes() < 0 || r.bytes() > AgentTrafficReport.MAX_BYTES_PER_DAY) {
            throw report("bytes", "bytes: " + r.bytes() + " (expected: 0 to " + AgentTrafficReport.MAX_BYTES_PER_DAY + ")");
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (r.day().isAfter(today)) {
            throw report("day", "day: " + r.day() + " is in the future (today is " + today + " UTC)");
        }
        if (r.day().isBefore(today.minusDays(AgentTrafficReport.MAX_AGE_DAYS))) {
            throw report("day", "day: " + r.day() + " (expected: at most " + AgentTrafficReport.MAX_AGE_DAYS
                    + " days ago)");
        }
        // Only the agent's own device: a device id of the key's owner. Another owner's id is 404, as unknown.
        UUID nodeId = nodes.deviceByDeviceId(key.ownerUserId(), r.deviceId()).orElseThrow(() -> new NodesException(
                NodesException.Reason.DEVICE_NOT_FOUND, "no device " + r.deviceId() + " for this node key", "deviceId"));
        if (!reconciliation.recordAgentBytes(nodeId, r.day(), r.runId(), r.bytes(), AgentTrafficReport.MAX_RUNS_PER_DAY)) {
            throw report("runId", "runId: at most " + AgentTrafficReport.MAX_RUNS_PER_DAY
                    + " agent runs per device and day");
        }
    }

    @Override
    public List<DeviceTrafficCounts> trafficCounts(UUID ownerId, UUID nodeId, LocalDate from, LocalDate to) {
        device(ownerId, nodeId);
        return reconciliation.daily(nodeId, from, to);
    }

    private static NodesException report(String field, String message) {
        return new NodesException(NodesException.Reason.INVALID_TRAFFIC_REPORT, message, field);
    }

    @Override
    public List<Device> devices(UUID ownerId) {
        Set<UUID> online = onlineIds();
        List<NodeRepository.DeviceRow> rows = nodes.devices(ownerId);
        Map<UUID, NodeModerationRepository.Effective> moderated =
                moderations.effective(rows.stream().map(NodeRepository.DeviceRow::id).toList());
        return rows.stream().map(d -> device(d, online, moderated)).toList();
    }

    @Override
    public Device device(UUID ownerId, UUID nodeId) {
        return nodes.device(ownerId, nodeId).map(d -> device(d, onlineIds(), moderations.effective(List.of(d.id()))))
                .orElseThrow(() -> notFound(nodeId));
    }

    @Override
    public Map<UUID, Device> devicesById(Collection<UUID> nodeIds) {
        Set<UUID> online = onlineIds();
        Map<UUID, Device> out = new HashMap<>();
        List<NodeRepository.DeviceRow> rows = nodes.devicesById(nodeIds);
        Map<UUID, NodeModerationRepository.Effective> moderated =
                moderations.effective(rows.stream().map(NodeRepository.DeviceRow::id).toList());
        for (NodeRepository.DeviceRow d : rows) {
            out.put(d.id(), device(d, online, moderated));
        }
        return out;
    }

    @Override
    @Transactional
    public Device setPaused(UUID ownerId, UUID nodeId, boolean paused) {
        if (!nodes.setPaused(ownerId, nodeId, paused)) {
            throw notFound(nodeId);
        }
        audit.record(new AuditEvent(ownerId, paused ? AuditAction.DEVICE_PAUSED : AuditAction.DEVICE_RESUMED, "node",
                nodeId.toString(), Map.of()));
        return device(ownerId, nodeId);
    }

    @Override
    @Transactional
    public Device renameDevice(UUID ownerId, UUID nodeId, String name) {
        String valid = deviceName(name);
        if (!nodes.rename(ownerId, nodeId, valid)) {
            throw notFound(nodeId);
        }
        audit.record(new AuditEvent(ownerId, AuditAction.DEVICE_RENAMED, "node", nodeId.toString(), Map.of("name", valid)));
        return device(ownerId, nodeId);
    }

    @Override
    @Transactional
    public void removeDevice(UUID ownerId, UUID nodeId) {
        if (!nodes.remove(ownerId, nodeId)) {
            throw notFound(nodeId);
        }
        audit.record(new AuditEvent(ownerId, AuditAction.DEVICE_REMOVED, "node", nodeId.toString(), Map.of()));
    }

    @Override
    public Set<UUID> pausedNodeIds() {
        return nodes.pausedIds();
    }

    private Set<UUID> onlineIds() {
        Set<UUID> ids = new HashSet<>();
        live.connected().forEach(c -> ids.add(c.nodeId()));
        return ids;
    }

    /** A device with its live state and the moderation in force on it, if any (docs/moderation.md). */
    private static Device device(NodeRepository.DeviceRow d, Set<UUID> online,
            Map<UUID, NodeModerationRepository.Effective> moderated) {
        boolean isOnline = online.contains(d.id());
        NodeModerationRepository.Effective m = moderated.get(d.id());
        return new Device(d.id(), d.deviceId(), d.ownerId(), d.name(), d.installMethod(), d.nodeVersion(), d.platform(),
                d.country(), d.city(), isOnline, d.paused(), d.localExit(), isOnline ? d.connectedSince() : null,
                d.lastHeartbeat(), d.createdAt(), d.removedAt(), d.lastIdClashAt(), d.lastIdClashFrom(),
                m == null ? null : m.action(), m == null ? null : m.reason(), m == null ? null : m.expiresAt());
    }

    /** A device name stripped to 1-100 characters, else {@code INVALID_DEVICE} naming {@code name}. */
    private static String deviceName(String name) {
        String s = name.strip();
        if (s.isEmpty() || s.length() > 100 || s.chars().anyMatch(Character::isISOControl)) {
            throw invalid("name", "name: 1-100 printable characters");
        }
        return s;
    }

    private static NodesException invalid(String field, String message) {
        return new NodesException(NodesException.Reason.INVALID_DEVICE, message, field);
    }

    private static NodesException notFound(UUID nodeId) {
        return new NodesException(NodesException.Reason.DEVICE_NOT_FOUND, "no device " + nodeId, "id");
    }

    /** The rows as views, with the live state and each node's moderation in force (docs/moderation.md). */
    private List<NodeView> views(List<NodeRepository.NodeRow> rows, List<ConnectedNode> connected) {
        Map<UUID, NodeModerationRepository.Effective> moderated =
                moderations.effective(rows.stream().map(NodeRepository.NodeRow::id).toList());
        Map<UUID, ConnectedNode> liveById = connected.stream()
                .collect(Collectors.toMap(ConnectedNode::nodeId, Function.identity(), (a, b) -> a));
        List<NodeView> views = new ArrayList<>();
        for (NodeRepository.NodeRow r : rows) {
            ConnectedNode c = liveById.get(r.id());
            NodeModerationRepository.Effective m = moderated.get(r.id());
            boolean online = c != null;
            // The owner's dashboard state wins over the connection (docs/product/nodes.md).
            String status = "banned".equals(r.status()) ? "banned" : r.removed() ? "removed" : r.paused() ? "paused"
                    : online ? "available" : "inactive";
            views.add(new NodeView(r.id(), r.deviceId(), r.deviceName(), r.platform(), r.sdkVersion(),
                    online ? JdbcNodeAuthenticator.ipLiteral(c.remoteAddress()) : r.ipAddress(),
                    online && c.country() != null ? c.country() : r.country(),
                    online && c.country() != null ? JdbcNodeAuthenticator.countryName(c.country()) : r.countryName(),
                    online && c.city() != null ? c.city() : r.city(),
                    online && c.region() != null ? c.region() : r.region(),
                    r.asn(), r.isp(), r.connectionType(), status, online, r.localExit() || (online && c.localExit()),
                    r.qualityScore(), r.bandwidthBytes(), r.totalRequests(), r.successfulRequests(),
                    online ? c.activeStreams() : 0, r.lastHeartbeat(),
                    online ? c.connectedSince() : r.connectedSince(), r.createdAt(), r.lastIdClashAt(),
                    m == null ? null : m.action(), m == null ? null : m.reason(), m == null ? null : m.expiresAt(),
                    r.successShare(), r.ttfbMillis(), r.throughputMbps()));
        }
        return views;
    }
}
