package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import io.iploop.server.campaigns.ProjectSpec;
import io.iploop.server.campaigns.ProjectStatus;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a project request body (docs/campaigns.md#api) into a {@link ProjectSpec}, keeping the
 * {@code settings} object as the exact characters sent: its start and end offsets come from the
 * JSON parser's token locations, so whitespace, key order and escapes survive untouched. The body
 * must be UTF-8. Stateless; thread-safe.
 */
@Component
class ProjectRequests {

    static final int MAX_BODY_BYTES = 128 * 1024;

    private final JsonMapper json;

    ProjectRequests(JsonMapper json) {
        this.json = json;
    }

    ProjectSpec read(byte[] body) {
        if (body.length > MAX_BODY_BYTES) {
            throw invalid("body", "must be at most " + MAX_BODY_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw invalid("body", "must be UTF-8 JSON");
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JacksonException e) {
            throw invalid("body", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("body", "must be a JSON object");
        }
        String settings = rawSettings(text);
        JsonNode name = root.get("name");
        if (name == null || !name.isString()) {
            throw invalid("name", "must be a text of 1-" + DefaultCampaignsService.MAX_NAME + " characters");
        }
        ProjectStatus status = null;
        JsonNode s = root.get("status");
        if (s != null && !s.isNull()) {
            status = ProjectStatus.of(s.isString() ? s.asString() : "");
        }
        return new ProjectSpec(name.asString(), status, integer(root.get("dailyLimit"), "dailyLimit"),
                whole(root.get("totalTarget"), "totalTarget"), instant(root.get("expiresAt")), settings);
    }

    /** The exact text of the top-level {@code settings} object (the last one if it repeats). */
    private String rawSettings(String text) {
        String raw = null;
        try (JsonParser p = json.createParser(text)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("settings".equals(field)) {
                    if (value != JsonToken.START_OBJECT) {
                        throw invalid("settings", "must be a JSON object");
                    }
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    p.skipChildren();
                    int end = (int) p.currentTokenLocation().getCharOffset() + 1;
                    raw = text.substring(start, end);
                } else {
                    p.skipChildren();
                }
            }
        }
        if (raw == null) {
            throw invalid("settings", "is required: a JSON object with at least \"urls\"");
        }
        return raw;
    }

    private static @Nullable Integer integer(@Nullable JsonNode node, String field) {
        Long v = whole(node, field);
        if (v != null && v > Integer.MAX_VALUE) {
            throw invalid(field, "must be at most " + Integer.MAX_VALUE);
        }
        return v == null ? null : v.intValue();
    }

    private static @Nullable Long whole(@Nullable JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid(field, "must be a whole number of visits (0 for none)");
        }
        return node.asLong();
    }

    private static @Nullable Instant instant(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return Instant.parse(node.isString() ? node.asString() : "");
        } catch (DateTimeParseException e) {
            throw invalid("expiresAt", "must be an ISO-8601 instant such as 2027-01-31T23:59:59Z, or null");
        }
    }

    private static CampaignsException invalid(String field, String rule) {
        return new CampaignsException(Reason.INVALID, field + " " + rule, field);
    }
}
