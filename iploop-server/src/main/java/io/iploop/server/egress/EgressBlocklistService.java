package io.iploop.server.egress;

import java.util.List;
import java.util.UUID;

/**
 * The egress feature's public API: the admin destination blocklist
 * (docs/security.md#exits-the-data-plane). Changes are audited and reach the gateway within its
 * refresh period (2 s). Thread-safe.
 */
public interface EgressBlocklistService {

    /** Largest number of entries; the gateway checks every request against all of them. */
    int MAX_ENTRIES = 10_000;

    /** Every entry, oldest first. */
    List<BlocklistEntry> list();

    /**
     * Validates, normalizes (lower-case host without a trailing dot, canonical CIDR) and stores an
     * entry; audited as {@code egress_blocklist_entry_added}.
     *
     * @throws EgressException {@code INVALID_ENTRY} naming the field: a host that is not a host name
     *     or {@code *.} suffix pattern, a CIDR that does not parse, a port outside 1-65535, host and
     *     cidr both set, none of host, cidr and port set, a blank or over-long reason, or a full list
     */
    BlocklistEntry add(UUID adminId, NewBlocklistEntry entry);

    /**
     * Removes an entry; audited as {@code egress_blocklist_entry_removed}.
     *
     * @throws EgressException {@code ENTRY_NOT_FOUND} if there is no such entry
     */
    void remove(UUID adminId, UUID entryId);
}
