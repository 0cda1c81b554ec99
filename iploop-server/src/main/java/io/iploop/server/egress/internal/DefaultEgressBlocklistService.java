package io.iploop.server.egress.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.egress.BlocklistEntry;
import io.iploop.server.egress.EgressBlocklistService;
import io.iploop.server.egress.EgressException;
import io.iploop.server.egress.NewBlocklistEntry;
import io.iploop.tunnel.egress.Cidr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** {@link EgressBlocklistService} over {@link BlocklistRepository}, audited. Thread-safe. */
@Service
class DefaultEgressBlocklistService implements EgressBlocklistService {

    /** Longest reason, in characters. */
    static final int MAX_REASON = 500;
    /**
     * A host name (RFC 1123 §2.1 labels of letters, digits and hyphens, at most 253 characters), or
     * {@code *.} followed by one. Bounded quantifiers only.
     */
    private static final Pattern HOST = Pattern.compile(
            "(?:\\*\\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){0,126}[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    private final BlocklistRepository repository;
    private final AuditService audit;

    DefaultEgressBlocklistService(BlocklistRepository repository, AuditService audit) {
        this.repository = repository;
        this.audit = audit;
    }

    @Override
    public List<BlocklistEntry> list() {
        return repository.findAll();
    }

    @Override
    @Transactional
    public BlocklistEntry add(UUID adminId, NewBlocklistEntry e) {
        String host = host(e.host());
        String cidr = cidr(e.cidr());
        Integer port = e.port();
        if (port != null && (port < 1 || port > 65_535)) {
            throw invalid("port " + port + " (expected: 1-65535, or absent for every port)", "port");
        }
        if (host != null && cidr != null) {
            throw invalid("set host or cidr, not both (a port may be combined with either)", "cidr");
        }
        if (host == null && cidr == null && port == null) {
            throw invalid("an entry needs a host, a cidr or a port", "host");
        }
        String reason = e.reason() == null ? "" : e.reason().strip();
        if (reason.isEmpty() || reason.length() > MAX_REASON) {
            throw invalid("reason must be 1-" + MAX_REASON + " characters", "reason");
        }
        if (repository.count() >= MAX_ENTRIES) {
            throw invalid("the blocklist holds " + MAX_ENTRIES + " entries already; remove some first", "host");
        }
        BlocklistEntry saved = repository.insert(host, cidr, port, reason, adminId);
        audit.record(new AuditEvent(adminId, AuditAction.EGRESS_BLOCKLIST_ENTRY_ADDED, "egress_blocklist_entry",
                saved.id().toString(), details(saved)));
        return saved;
    }

    @Override
    @Transactional
    public void remove(UUID adminId, UUID entryId) {
        BlocklistEntry removed = repository.delete(entryId);
        if (removed == null) {
            throw new EgressException(EgressException.Reason.ENTRY_NOT_FOUND, "no blocklist entry " + entryId, null);
        }
        audit.record(new AuditEvent(adminId, AuditAction.EGRESS_BLOCKLIST_ENTRY_REMOVED, "egress_blocklist_entry",
                entryId.toString(), details(removed)));
    }

    private static @Nullable String host(@Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String h = raw.strip().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.length() > 255 || !HOST.matcher(h).matches()) {
            throw invalid("host must be a host name (example.com) or a suffix pattern (*.example.com); IDNA names as"
                    + " xn-- A-labels, addresses as cidr", "host");
        }
        if (Cidr.isAddressLiteral(h)) {
            throw invalid("host " + h + " is an address: put it in cidr", "host");
        }
        return h;
    }

    private static @Nullable String cidr(@Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Cidr.parse(raw).toString();
        } catch (IllegalArgumentException ex) {
            throw invalid(ex.getMessage(), "cidr");
        }
    }

    private static EgressException invalid(String message, String field) {
        return new EgressException(EgressException.Reason.INVALID_ENTRY, message, field);
    }

    private static Map<String, String> details(BlocklistEntry e) {
        Map<String, String> d = new LinkedHashMap<>();
        if (e.host() != null) {
            d.put("host", e.host());
        }
        if (e.cidr() != null) {
            d.put("cidr", e.cidr());
        }
        if (e.port() != null) {
            d.put("port", e.port().toString());
        }
        d.put("reason", e.reason());
        return d;
    }
}
