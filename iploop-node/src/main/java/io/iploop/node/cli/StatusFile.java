package io.iploop.node.cli;

import io.iploop.node.AgentStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code status.properties}: the running agent rewrites it every few seconds so that
 * {@code proxyclaw status}, a separate process, can show what the agent is doing.
 */
final class StatusFile {

    /** How often the running agent rewrites the file, in ms. */
    static final long WRITE_INTERVAL_MILLIS = 5_000;

    private StatusFile() {}

    /** What {@code proxyclaw status} shows. */
    record Snapshot(long pid, Instant updatedAt, String gateway, AgentStatus status) {}

    static void write(ConfigDir dir, long pid, String gateway, AgentStatus s) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("pid", Long.toString(pid));
        p.put("updatedAt", Instant.now().toString());
        p.put("gateway", gateway);
        p.put("state", s.state().name());
        putIfSet(p, "nodeId", s.nodeId());
        putIfSet(p, "connectedSince", s.connectedSince() == null ? null : s.connectedSince().toString());
        p.put("activeStreams", Integer.toString(s.activeStreams()));
        p.put("bytesCarried", Long.toString(s.bytesCarried()));
        p.put("streamsServed", Long.toString(s.streamsServed()));
        p.put("reconnects", Long.toString(s.reconnects()));
        putIfSet(p, "lastError", s.lastError());
        p.put("bytesUp", Long.toString(s.bytesUp()));
        p.put("bytesDown", Long.toString(s.bytesDown()));
        putIfSet(p, "startedAt", s.startedAt() == null ? null : s.startedAt().toString());
        dir.writeProperties(dir.file(ConfigDir.STATUS_FILE), p, "written by the running proxyclaw agent");
    }

    /** The last snapshot, empty if there is none or it cannot be parsed. */
    static Optional<Snapshot> read(ConfigDir dir) {
        Map<String, String> p = dir.readProperties(dir.file(ConfigDir.STATUS_FILE));
        if (p.isEmpty()) {
            return Optional.empty();
        }
        try {
            String since = p.get("connectedSince");
            String started = p.get("startedAt");
            AgentStatus status = new AgentStatus(
                    AgentStatus.State.valueOf(p.getOrDefault("state", "STOPPED")),
                    p.get("nodeId"),
                    since == null ? null : Instant.parse(since),
                    Integer.parseInt(p.getOrDefault("activeStreams", "0")),
                    Long.parseLong(p.getOrDefault("bytesCarried", "0")),
                    Long.parseLong(p.getOrDefault("streamsServed", "0")),
                    Long.parseLong(p.getOrDefault("reconnects", "0")),
                    p.get("lastError"),
                    Long.parseLong(p.getOrDefault("bytesUp", "0")),
                    Long.parseLong(p.getOrDefault("bytesDown", "0")),
                    started == null ? null : Instant.parse(started));
            return Optional.of(new Snapshot(
                    Long.parseLong(p.getOrDefault("pid", "0")),
                    Instant.parse(p.getOrDefault("updatedAt", Instant.EPOCH.toString())),
                    p.getOrDefault("gateway", "?"),
                    status));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void putIfSet(Map<String, String> p, String name, @Nullable String value) {
        if (value != null) {
            p.put(name, value);
        }
    }
}
