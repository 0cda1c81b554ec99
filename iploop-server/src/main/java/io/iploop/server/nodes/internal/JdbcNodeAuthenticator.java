package io.iploop.server.nodes.internal;

import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeHello;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link NodeAuthenticator}: admits an agent whose node key is known and unrevoked and
 * whose owner account is active (both cached briefly, {@link NodeAdmissionCache}), then registers the device (one {@code nodes} row per device id,
 * owned by the key's owner; a device id of another owner is refused, so nobody can take over a
 * node) and refuses a node an admin banned (docs/moderation.md). Location comes from GeoIP when configured, else from the agent's self-report, which is
 * untrusted input: a country that is not two letters is dropped, strings are truncated to their
 * column sizes, an unknown connection type is dropped. Blocks on the database; thread-safe.
 */
@Component
class JdbcNodeAuthenticator implements NodeAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(JdbcNodeAuthenticator.class);
    private static final Set<String> CONNECTION_TYPES = Set.of("wifi", "cellular", "ethernet");

    private final NodeAdmissionCache cache;
    private final NodeRepository nodes;
    private final GeoIpLookup geoIp;
    private final NodeModerationRepository moderations;

    JdbcNodeAuthenticator(NodeAdmissionCache cache, NodeRepository nodes, GeoIpLookup geoIp,
            NodeModerationRepository moderations) {
        this.moderations = moderations;
        this.cache = cache;
        this.nodes = nodes;
        this.geoIp = geoIp;
    }

    @Override
    public CompletionStage<NodeAdmission> admit(NodeHello hello) {
        try {
            return CompletableFuture.completedFuture(check(hello));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private NodeAdmission check(NodeHello hello) {
        if (!hello.nodeKeySha256Hex().matches("[0-9a-f]{64}")) {
            return new NodeAdmission.Refused("invalid or revoked node key");
        }
        // Key and owner from a short-lived cache (docs/scale.md#admissions): a reconnect storm costs
        // the upsert and the ban check per node.
        Optional<NodeKeyRepository.ActiveKey> key = cache.activeKey(hello.nodeKeySha256Hex());
        if (key.isEmpty()) {
            return new NodeAdmission.Refused("invalid or revoked node key");
        }
        if (!cache.ownerActive(key.get().ownerUserId())) {
            return new NodeAdmission.Refused("the node key's account is not active");
        }
        if (!hello.deviceId().matches("[A-Za-z0-9._:-]{1,128}")) {
            return new NodeAdmission.Refused("invalid device id");
        }
        String ip = ipLiteral(hello.remoteAddress());
        String country = country(hello.country());
        String region = truncate(hello.region(), 100);
        String city = truncate(hello.city(), 100);
        int asn = Math.max(0, hello.asn());
        String isp = truncate(hello.isp(), 255);
        String postalCode = null;
        if (ip != null && geoIp.enabled()) {
            Optional<GeoIpLookup.Location> geo = geoIp.lookup(ip);
            if (geo.isPresent()) {
                GeoIpLookup.Location g = geo.get();
                if (g.located()) {
                    country = country(g.country());
                    region = truncate(g.region(), 100);
                    city = truncate(g.city(), 100);
                    // Only from the database: zip targeting must not trust what an agent says (docs/exit-quality.md#targeting).
                    postalCode = truncate(g.postalCode(), 16);
                }
                asn = g.asn() > 0 ? g.asn() : asn;
                isp = g.isp() != null ? truncate(g.isp(), 255) : isp;
            }
        }
        String connectionType = hello.connectionType() == null ? null
                : hello.connectionType().toLowerCase(Locale.ROOT);
        if (connectionType != null && !CONNECTION_TYPES.contains(connectionType)) {
            connectionType = null;
        }
        var registration = new NodeRepository.NodeRegistration(hello.deviceId(), key.get().ownerUserId(), key.get().id(),
                truncate(hello.deviceName(), 255), truncate(hello.platform(), 40), truncate(hello.agentVersion(), 40), ip,
                country, countryName(country), region, city, asn, isp, connectionType, hello.localExit());
        Optional<NodeRepository.UpsertResult> node = nodes.upsert(registration);
        if (node.isEmpty()) {
            log.warn("Refused node {}: device id registered to another account", hello.deviceId());
            return new NodeAdmission.Refused("this device id is registered to another account");
        }
        if ("banned".equals(node.get().status())) {
            return new NodeAdmission.Refused("this node is banned");
        }
        // An admin's ban (docs/moderation.md), matched on the address and ASN just registered.
        NodeModerationRepository.Effective moderation = moderations.effective(List.of(node.get().id())).get(node.get().id());
        if (moderation != null && "ban".equals(moderation.action())) {
            log.info("Refused node {}: banned ({})", hello.deviceId(), moderation.reason());
            return new NodeAdmission.Refused("this node is banned: " + moderation.reason());
        }
        cache.touch(key.get().id());
        return new NodeAdmission.Admitted(node.get().id(), key.get().ownerUserId(), country, region, city, asn, isp,
                connectionType, postalCode);
    }

    /** Upper-case ISO-3166 alpha-2 code, or null when absent or not two ASCII letters. */
    static @Nullable String country(@Nullable String reported) {
        if (reported == null || !reported.matches("[A-Za-z]{2}")) {
            return null;
        }
        return reported.toUpperCase(Locale.ROOT);
    }

    static @Nullable String countryName(@Nullable String code) {
        if (code == null) {
            return null;
        }
        String name = Locale.of("", code).getDisplayCountry(Locale.ENGLISH);
        return name.isBlank() || name.equals(code) ? null : name;
    }

    static @Nullable String truncate(@Nullable String value, int max) {
        if (value == null) {
            return null;
        }
        String s = value.strip();
        if (s.isEmpty()) {
            return null;
        }
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** The address as an IP literal PostgreSQL's inet accepts, or null. */
    static @Nullable String ipLiteral(String remoteAddress) {
        String a = remoteAddress.strip();
        if (a.startsWith("/")) {
            a = a.substring(1);
        }
        int scope = a.indexOf('%');
        if (scope >= 0) {
            a = a.substring(0, scope);
        }
        try {
            return InetAddress.ofLiteral(a).getHostAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
