package io.iploop.node.cli;

import io.iploop.node.AgentStatus;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The JSON of {@code proxyclaw status --json} (docs/node-agent.md#status-and-metrics): one object,
 * every field always present ({@code null} when unknown), so scripts need no existence checks.
 * Fields: {@code running} (boolean), {@code pid}, {@code state} (lower case: {@code connecting},
 * {@code connected}, {@code backing_off}, {@code duplicate_device}, {@code stopping},
 * {@code stopped}, {@code unavailable}; {@code starting} before the first status write,
 * {@code stopped} when not running), {@code nodeId}, {@code gateway}, {@code startedAt},
 * {@code uptimeSeconds}, {@code connectedSince}, {@code connectedSeconds}, {@code streamsOpen},
 * {@code streamsServed}, {@code bytesUp}, {@code bytesDown}, {@code bytesCarried},
 * {@code reconnects}, {@code lastError}, {@code statusWrittenAt}, {@code stale} (the status file is
 * older than four write intervals: the agent may be hung). Times are ISO-8601 UTC. Stateless.
 */
final class StatusJson {

    private static final JsonFactory JSON = new JsonFactory();

    private StatusJson() {}

    /**
     * @param pid the running agent's pid, null when none runs
     * @param snap its last status file, null when none runs or it has not written one yet
     */
    static String render(@Nullable Long pid, StatusFile.@Nullable Snapshot snap, Instant now, Duration staleAfter) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), w)) {
            AgentStatus s = snap == null ? null : snap.status();
            g.writeStartObject();
            g.writeBooleanProperty("running", pid != null);
            number(g, "pid", pid);
            g.writeStringProperty("state", pid == null ? "stopped"
                    : s == null ? "starting" : s.state().name().toLowerCase(Locale.ROOT));
            g.writeStringProperty("nodeId", s == null ? null : s.nodeId());
            g.writeStringProperty("gateway", snap == null ? null : snap.gateway());
            instant(g, "startedAt", s == null ? null : s.startedAt());
            number(g, "uptimeSeconds", s == null || s.startedAt() == null ? null
                    : Duration.between(s.startedAt(), now).toSeconds());
            instant(g, "connectedSince", s == null ? null : s.connectedSince());
            number(g, "connectedSeconds", s == null || s.connectedSince() == null ? null
                    : Duration.between(s.connectedSince(), now).toSeconds());
            number(g, "streamsOpen", s == null ? null : (long) s.activeStreams());
            number(g, "streamsServed", s == null ? null : s.streamsServed());
            number(g, "bytesUp", s == null ? null : s.bytesUp());
            number(g, "bytesDown", s == null ? null : s.bytesDown());
            number(g, "bytesCarried", s == null ? null : s.bytesCarried());
            number(g, "reconnects", s == null ? null : s.reconnects());
            g.writeStringProperty("lastError", s == null ? null : s.lastError());
            instant(g, "statusWrittenAt", snap == null ? null : snap.updatedAt());
            g.writeBooleanProperty("stale", snap != null && Duration.between(snap.updatedAt(), now).compareTo(staleAfter) > 0);
            g.writeEndObject();
        }
        return w.toString();
    }

    private static void number(JsonGenerator g, String name, @Nullable Long value) {
        if (value == null) {
            g.writeNullProperty(name);
        } else {
            g.writeNumberProperty(name, value);
        }
    }

    private static void instant(JsonGenerator g, String name, @Nullable Instant value) {
        g.writeStringProperty(name, value == null ? null : value.toString());
    }
}
