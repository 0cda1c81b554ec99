package io.iploop.server.nodes.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.nodes.NewNodeModeration;
import io.iploop.server.nodes.NodeModeration;
import io.iploop.server.nodes.NodeModerationService;
import io.iploop.server.nodes.NodeQualityOverview;
import io.iploop.server.nodes.NodeQualityReading;
import io.iploop.server.nodes.NodesException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** {@link NodeModerationService} over {@link NodeModerationRepository}, audited. Thread-safe. */
@Service
class DefaultNodeModerationService implements NodeModerationService {

    static final int MAX_REASON = 500;
    static final int MAX_LISTED = 500;
    static final int MAX_RULE = 40;
    private static final Set<String> ACTIONS = Set.of("ban", "quarantine");
    private static final Set<String> SCOPES = Set.of("node", "owner", "cidr", "asn");

    private final NodeModerationRepository moderations;
    private final NodeRepository nodes;
    private final AccountsService accounts;
    private final AuditService audit;

    DefaultNodeModerationService(NodeModerationRepository moderations, NodeRepository nodes, AccountsService accounts,
            AuditService audit) {
        this.moderations = moderations;
        this.nodes = nodes;
        this.accounts = accounts;
        this.audit = audit;
    }

    @Override
    @Transactional
    public NodeModeration moderate(UUID adminId, NewNodeModeration r) {
        return create(adminId, null, r);
    }

    @Override
    @Transactional
    public NodeModeration moderateByRule(String rule, NewNodeModeration request) {
        if (rule.isBlank() || rule.length() > MAX_RULE) {
            throw new IllegalArgumentException("rule: '" + rule + "' (expected: 1-" + MAX_RULE + " characters)");
        }
        return create(null, rule, request);
    }

    @Override
    public Set<UUID> moderatedNodeIds() {
        return moderations.moderatedIds();
    }

    @Override
    public List<NodeQualityReading> connectedNodeQuality() {
        return moderations.connectedQuality();
    }

    @Override
    public NodeQualityOverview connectedQualityOverview(int lowest) {
        if (lowest < 0 || lowest > 100) {
            throw new IllegalArgumentException("lowest: " + lowest + " (expected: 0-100)");
        }
        return moderations.qualityOverview(lowest);
    }

    /** Validates and stores a moderation by an admin ({@code adminId}) or by an auto-ban rule ({@code rule}). */
    private NodeModeration create(@Nullable UUID adminId, @Nullable String rule, NewNodeModeration r) {
        String action = lower(r.action());
        if (action == null || !ACTIONS.contains(action)) {
            throw invalid("action", "action: '" + r.action() + "' (expected: ban or quarantine)");
        }
        String scope = lower(r.scope());
        if (scope == null || !SCOPES.contains(scope)) {
            throw invalid("scope", "scope: '" + r.scope() + "' (expected: node, owner, cidr or asn)");
        }
        String target = r.target() == null ? "" : r.target().strip();
        if (target.isEmpty()) {
            throw invalid("target", "target: missing (a node id, an owner's user id, a CIDR or an ASN, by scope)");
        }
        String reason = r.reason() == null ? "" : r.reason().strip();
        if (reason.isEmpty() || reason.length() > MAX_REASON || reason.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw invalid("reason", "reason: 1-" + MAX_REASON + " printable characters");
        }
        if (r.expiresAt() != null && !r.expiresAt().isAfter(Instant.now())) {
            throw invalid("expiresAt", "expiresAt: " + r.expiresAt() + " (expected: in the future, or absent for never)");
        }
        UUID nodeId = null;
        UUID ownerId = null;
        String cidr = null;
        Integer asn = null;
        switch (scope) {
            case "node" -> {
                nodeId = uuid(target);
                if (nodes.devicesById(List.of(nodeId)).isEmpty()) {
                    throw invalid("target", "target: no node " + nodeId);
                }
            }
            case "owner" -> {
                ownerId = uuid(target);
                if (accounts.find(ownerId).isEmpty()) {
                    throw invalid("target", "target: no account " + ownerId);
                }
            }
            case "cidr" -> cidr = cidr(target);
            default -> asn = asn(target);
        }
        NodeModeration saved = moderations.insert(action, scope, nodeId, ownerId, cidr, asn, reason, r.expiresAt(), adminId,
                rule);
        Map<String, String> details = details(saved);
        details.put("reason", reason);
        details.put("expiresAt", saved.expiresAt() == null ? "never" : saved.expiresAt().toString());
        if (rule != null) {
            // No user acted: the audit entry has no user and says which rule did it.
            details.put("actor", "system");
            details.put("rule", rule);
        }
        audit.record(new AuditEvent(adminId, AuditAction.NODE_MODERATED, "node_moderation", saved.id().toString(), details));
        return saved;
    }

    @Override
    public List<NodeModeration> list(boolean activeOnly) {
        return moderations.list(activeOnly, MAX_LISTED);
    }

    @Override
    @Transactional
    public NodeModeration lift(UUID adminId, UUID moderationId) {
        NodeModeration before = moderations.find(moderationId).orElseThrow(() -> new NodesException(
                NodesException.Reason.MODERATION_NOT_FOUND, "no moderation " + moderationId, "id"));
        if (before.liftedAt() != null) {
            return before;
        }
        NodeModeration lifted = moderations.lift(moderationId, adminId).orElseThrow();
        audit.record(new AuditEvent(adminId, AuditAction.NODE_MODERATION_LIFTED, "node_moderation",
                moderationId.toString(), details(lifted)));
        return lifted;
    }

    private static Map<String, String> details(NodeModeration m) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("action", m.action());
        d.put("scope", m.scope());
        d.put("target", target(m));
        return d;
    }

    /** The moderation's target as text: node id, owner id, CIDR or ASN. */
    static String target(NodeModeration m) {
        return switch (m.scope()) {
            case "node" -> String.valueOf(m.nodeId());
            case "owner" -> String.valueOf(m.ownerUserId());
            case "cidr" -> Objects.requireNonNullElse(m.cidr(), "");
            default -> "AS" + m.asn();
        };
    }

    private static @Nullable String lower(@Nullable String s) {
        return s == null ? null : s.strip().toLowerCase(Locale.ROOT);
    }

    private static UUID uuid(String target) {
        try {
            return UUID.fromString(target);
        } catch (IllegalArgumentException e) {
            throw invalid("target", "target: '" + target + "' (expected: a UUID)");
        }
    }

    private static int asn(String target) {
        String digits = target.regionMatches(true, 0, "AS", 0, 2) ? target.substring(2) : target;
        if (!digits.matches("[0-9]{1,10}")) {
            throw invalid("target", "target: '" + target + "' (expected: an ASN such as 64500 or AS64500)");
        }
        long asn = Long.parseLong(digits);
        if (asn < 1 || asn > Integer.MAX_VALUE) {
            throw invalid("target", "target: AS" + asn + " (expected: 1-" + Integer.MAX_VALUE + ")");
        }
        return (int) asn;
    }

    /**
     * The range in PostgreSQL's {@code cidr} form: the network address (host bits cleared) and the
     * prefix length; a bare address is one host (/32 or /128).
     */
    static String cidr(String target) {
        int slash = target.indexOf('/');
        String address = slash < 0 ? target : target.substring(0, slash);
        InetAddress ip;
        try {
            if (!address.matches("[0-9A-Fa-f:.]{2,45}")) {
                throw new IllegalArgumentException(address);
            }
            ip = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw invalid("target", "target: '" + target + "' (expected: a CIDR such as 203.0.113.0/24 or 2001:db8::/32)");
        }
        int bits = ip.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = target.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                throw invalid("target", "target: prefix '/" + p + "' (expected: 0-" + bits + ")");
            }
            prefix = Integer.parseInt(p);
        }
        BigInteger value = new BigInteger(1, ip.getAddress());
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        byte[] raw = value.and(mask).toByteArray();
        byte[] network = new byte[bits / 8];
        int copy = Math.min(raw.length, network.length);
        System.arraycopy(raw, raw.length - copy, network, network.length - copy, copy);
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NodesException invalid(String field, String message) {
        return new NodesException(NodesException.Reason.INVALID_MODERATION, message, field);
    }
}
