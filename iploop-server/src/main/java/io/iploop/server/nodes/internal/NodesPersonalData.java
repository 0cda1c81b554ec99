package io.iploop.server.nodes.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataRows;
import io.iploop.server.platform.PersonalDataSubject;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The devices and node keys of a node operator (docs/privacy.md): exported (never key hashes).
 * Erasure revokes every node key (connected agents are disconnected by the gateway's revocation
 * sweep within about a second), removes the devices from the pool and drops their addresses and
 * names; the rows stay, as usage and earnings refer to them. Thread-safe.
 */
@Component
class NodesPersonalData implements PersonalData {

    private final JdbcClient jdbc;

    NodesPersonalData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String feature() {
        return "nodes";
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("node-keys.json", PersonalDataRows.json(jdbc, userId,
                "FROM node_keys r WHERE r.owner_user_id = :id", "r.created_at, r.id", "key_hash", "owner_user_id"));
        out.json("devices.json", jdbc.sql("""
                        SELECT coalesce(jsonb_agg(to_jsonb(n) - 'owner_user_id'
                                                  || jsonb_build_object('ip_address', host(n.ip_address),
                                                                        'last_id_clash_ip', host(n.last_id_clash_ip))
                                                  ORDER BY n.created_at, n.id), '[]')
                        FROM nodes n WHERE n.owner_user_id = :id""").param("id", userId).query().singleValue());
    }

    @Override
    public Set<String> addressesOf(UUID userId) {
        return Set.copyOf(jdbc.sql("""
                        SELECT host(ip_address) FROM nodes WHERE owner_user_id = :id AND ip_address IS NOT NULL
                        UNION SELECT host(last_id_clash_ip) FROM nodes WHERE owner_user_id = :id AND last_id_clash_ip IS NOT NULL""")
                .param("id", userId).query(String.class).list());
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        UUID id = subject.userId();
        jdbc.sql("UPDATE node_keys SET revoked_at = now() WHERE owner_user_id = :id AND revoked_at IS NULL")
                .param("id", id).update();
        jdbc.sql("""
                        UPDATE nodes SET ip_address = NULL, last_id_clash_ip = NULL, device_name = NULL,
                               removed_at = coalesce(removed_at, now()), paused_at = coalesce(paused_at, now())
                        WHERE owner_user_id = :id""").param("id", id).update();
    }
}
