package io.iploop.server.webhooks.internal;

import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.webhooks.WebhookDelivery;
import io.iploop.server.webhooks.WebhookEndpoint;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code webhook_endpoints}, {@code webhook_messages} and {@code webhook_deliveries}. Signing
 * secrets are sealed with AES-256-GCM ({@link PlatformSecrets#encrypt}, bound to the endpoint's id)
 * before they reach the database and opened only when a message is claimed for delivery: a copy of
 * the database alone cannot forge events (docs/integrations/webhooks.md#secrets-at-rest). Thread-safe.
 */
@Repository
class WebhookRepository {

    /** Secrets written before sealing began are plain {@code whsec_…}; they are sealed at start. */
    private static final String PLAIN_SECRET_PREFIX = "whsec_";

    private static final String ENDPOINT_COLUMNS = """
            id, url, description, event_types, enabled, disabled_reason, consecutive_failures, created_at,
            updated_at""";

    private final JdbcClient jdbc;
    private final PlatformSecrets secrets;

    WebhookRepository(JdbcClient jdbc, PlatformSecrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    private static String associatedData(UUID endpointId) {
        return "webhook_endpoints.secret:" + endpointId;
    }

    private String seal(UUID endpointId, String secret) {
        return secrets.encrypt(secret, associatedData(endpointId));
    }

    private String open(UUID endpointId, String stored) {
        return stored.startsWith(PLAIN_SECRET_PREFIX) ? stored : secrets.decrypt(stored, associatedData(endpointId));
    }

    /**
     * Seals every secret still stored in clear (rows from before sealing began).
     *
     * @return how many were sealed
     */
    int sealPlainSecrets() {
        List<Object[]> plain = jdbc.sql("SELECT id, secret FROM webhook_endpoints WHERE starts_with(secret, :prefix)")
                .param("prefix", PLAIN_SECRET_PREFIX)
                .query((rs, n) -> new Object[] {rs.getObject("id", UUID.class), rs.getString("secret")}).list();
        int sealed = 0;
        for (Object[] row : plain) {
            UUID id = (UUID) row[0];
            sealed += jdbc.sql("UPDATE webhook_endpoints SET secret = :sealed WHERE id = :id AND secret = :plain")
                    .param("sealed", seal(id, (String) row[1])).param("id", id).param("plain", row[1]).update();
        }
        return sealed;
    }

    void insertEndpoint(UUID id, UUID userId, String url, @Nullable String description, List<String> types,
            boolean enabled, String secret) {
        jdbc.sql("""
                        INSERT INTO webhook_endpoints (id, user_id, url, description, event_types, enabled, secret)
                        VALUES (:id, :user, :url, :description, string_to_array(:types, ','), :enabled, :secret)""")
                .param("id", id).param("user", userId).param("url", url).param("description", description)
                .param("types", String.join(",", types)).param("enabled", enabled).param("secret", seal(id, secret))
                .update();
    }

    int countEndpoints(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM webhook_endpoints WHERE user_id = :user").param("user", userId)
                .query(Integer.class).single();
    }

    List<WebhookEndpoint> endpoints(UUID userId) {
        return jdbc.sql("SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE user_id = :user "
                        + "ORDER BY created_at, id")
                .param("user", userId).query((rs, n) -> endpoint(rs)).list();
    }

    /** The endpoint if {@code userId} owns it, locked for update when {@code lock}. */
    Optional<WebhookEndpoint> endpoint(UUID userId, UUID id, boolean lock) {
        return jdbc.sql("SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE id = :id AND user_id = :user"
                        + (lock ? " FOR UPDATE" : ""))
                .param("id", id).param("user", userId).query((rs, n) -> endpoint(rs)).optional();
    }

    void update(UUID id, String url, @Nullable String description, List<String> types, boolean enabled,
            boolean clearFailures) {
        jdbc.sql("""
                        UPDATE webhook_endpoints SET url = :url, description = :description,
                               event_types = string_to_array(:types, ','),
                               enabled = :enabled, updated_at = now(),
                               disabled_reason = CASE WHEN :clear THEN NULL ELSE disabled_reason END,
                               consecutive_failures = CASE WHEN :clear THEN 0 ELSE consecutive_failures END,
                               failing_since = CASE WHEN :clear THEN NULL ELSE failing_since END
                        WHERE id = :id""")
                .param("id", id).param("url", url).param("description", description)
                .param("types", String.join(",", types)).param("enabled", enabled).param("clear", clearFailures)
                .update();
    }

    void delete(UUID id) {
        jdbc.sql("DELETE FROM webhook_endpoints WHERE id = :id").param("id", id).update();
    }

    void setSecret(UUID id, String secret) {
        jdbc.sql("UPDATE webhook_endpoints SET secret = :secret, updated_at = now() WHERE id = :id")
                .param("id", id).param("secret", seal(id, secret)).update();
    }

    /** Ids of {@code userId}'s enabled endpoints subscribed to {@code type}. */
    List<UUID> subscribers(UUID userId, String type) {
        return jdbc.sql("""
                        SELECT id FROM webhook_endpoints
                        WHERE user_id = :user AND enabled AND :type = ANY (event_types) ORDER BY id""")
                .param("user", userId).param("type", type).query(UUID.class).list();
    }

    void insertMessage(UUID endpointId, String eventId, String type, String payload) {
        jdbc.sql("""
                        INSERT INTO webhook_messages (endpoint_id, event_id, event_type, payload)
                        VALUES (:endpoint, :event, :type, :payload) ON CONFLICT (endpoint_id, event_id) DO NOTHING""")
                .param("endpoint", endpointId).param("event", eventId).param("type", type).param("payload", payload)
                .update();
    }

    /** Makes the endpoint's event due now (pending again if finished); false if it has no such event. */
    boolean requeue(UUID endpointId, String eventId) {
        return jdbc.sql("""
                        UPDATE webhook_messages SET status = 'pending', next_attempt_at = now()
                        WHERE endpoint_id = :endpoint AND event_id = :event""")
                .param("endpoint", endpointId).param("event", eventId).update() == 1;
    }

    /**
     * Due pending messages of enabled endpoints, claimed for {@code lease} in the caller's
     * transaction; rows locked by another instance are skipped. Returned oldest first: an
     * {@code UPDATE … RETURNING} has no order of its own, and an endpoint should see a key's
     * {@code created} before its {@code rotated} when both are due in one claim.
     */
    List<Pending> claimDue(int limit, Duration lease) {
        return jdbc.sql("""
                        WITH claimed AS (
                            UPDATE webhook_messages m SET next_attempt_at = now() + make_interval(secs => :lease)
                            FROM webhook_endpoints e
                            WHERE e.id = m.endpoint_id AND m.id IN (
                                SELECT m2.id FROM webhook_messages m2 JOIN webhook_endpoints e2 ON e2.id = m2.endpoint_id
                                WHERE m2.status = 'pending' AND m2.next_attempt_at <= now() AND e2.enabled
                                ORDER BY m2.next_attempt_at, m2.id LIMIT :limit
                                FOR UPDATE OF m2 SKIP LOCKED)
                            RETURNING m.id, m.endpoint_id, e.user_id, e.url, e.secret, m.event_id, m.event_type,
                                      m.payload, m.attempts)
                        SELECT * FROM claimed ORDER BY id""")
                .param("limit", limit).param("lease", (double) lease.toSeconds())
                .query((rs, n) -> new Pending(rs.getLong("id"), rs.getObject("endpoint_id", UUID.class),
                        rs.getObject("user_id", UUID.class), rs.getString("url"),
                        open(rs.getObject("endpoint_id", UUID.class), rs.getString("secret")),
                        rs.getString("event_id"), rs.getString("event_type"), rs.getString("payload"),
                        rs.getInt("attempts")))
                .list();
    }

    void logAttempt(Pending p, @Nullable Integer statusCode, int durationMs, @Nullable String error,
            @Nullable String responseBody) {
        jdbc.sql("""
                        INSERT INTO webhook_deliveries (message_id, endpoint_id, attempt, status_code, duration_ms,
                                                        error, response_body)
                        VALUES (:message, :endpoint, :attempt, :status, :duration, :error, :body)""")
                .param("message", p.id()).param("endpoint", p.endpointId()).param("attempt", p.attempts() + 1)
                .param("status", statusCode).param("duration", durationMs).param("error", error)
                .param("body", responseBody).update();
    }

    void markDelivered(Pending p) {
        jdbc.sql("""
                        UPDATE webhook_messages SET status = 'delivered', attempts = attempts + 1, delivered_at = now()
                        WHERE id = :id""").param("id", p.id()).update();
        jdbc.sql("""
                        UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL
                        WHERE id = :id AND consecutive_failures > 0""").param("id", p.endpointId()).update();
    }

    /** Counts a failed attempt: retried after {@code retryIn}, or given up when it is null. */
    void markFailed(Pending p, @Nullable Duration retryIn) {
        jdbc.sql("""
                        UPDATE webhook_messages
                        SET attempts = attempts + 1,
                            status = CASE WHEN :giveUp THEN 'failed' ELSE 'pending' END,
                            next_attempt_at = now() + make_interval(secs => :retry)
                        WHERE id = :id""")
                .param("id", p.id()).param("giveUp", retryIn == null)
                .param("retry", retryIn == null ? 0.0 : retryIn.toMillis() / 1000.0).update();
    }

    /**
     * Counts a failed attempt against the endpoint and disables it when it has failed at least
     * {@code failures} times in a row for at least {@code period}; true if this call disabled it.
     */
    boolean countFailure(UUID endpointId, int failures, Duration period, String reason) {
        jdbc.sql("""
                        UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
                               failing_since = coalesce(failing_since, now())
                        WHERE id = :id""").param("id", endpointId).update();
        return jdbc.sql("""
                        UPDATE webhook_endpoints SET enabled = false, disabled_reason = :reason, updated_at = now()
                        WHERE id = :id AND enabled AND consecutive_failures >= :failures
                          AND failing_since <= now() - make_interval(secs => :period)""")
                .param("id", endpointId).param("failures", failures).param("reason", reason)
                .param("period", period.toMillis() / 1000.0).update() == 1;
    }

    List<WebhookDelivery> deliveries(UUID endpointId, int limit) {
        return jdbc.sql("""
                        SELECT d.id, m.event_id, m.event_type, d.attempt, d.status_code, d.duration_ms, d.error,
                               d.response_body, d.created_at
                        FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
                        WHERE d.endpoint_id = :endpoint ORDER BY d.id DESC LIMIT :limit""")
                .param("endpoint", endpointId).param("limit", limit)
                .query((rs, n) -> new WebhookDelivery(rs.getLong("id"), rs.getString("event_id"),
                        rs.getString("event_type"), rs.getInt("attempt"), rs.getObject("status_code", Integer.class),
                        rs.getInt("duration_ms"), rs.getString("error"), rs.getString("response_body"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    /** Deletes delivery attempts and finished messages older than {@code age}; returns the attempts deleted. */
    int deleteOlderThan(Duration age) {
        double seconds = age.toSeconds();
        int deleted = jdbc.sql("DELETE FROM webhook_deliveries WHERE created_at < now() - make_interval(secs => :s)")
                .param("s", seconds).update();
        jdbc.sql("""
                        DELETE FROM webhook_messages WHERE status <> 'pending'
                          AND created_at < now() - make_interval(secs => :s)""").param("s", seconds).update();
        return deleted;
    }

    private static WebhookEndpoint endpoint(ResultSet rs) throws SQLException {
        Array types = rs.getArray("event_types");
        List<String> list = Arrays.stream((String[]) types.getArray()).sorted().toList();
        return new WebhookEndpoint(rs.getObject("id", UUID.class), rs.getString("url"), rs.getString("description"),
                list, rs.getBoolean("enabled"), rs.getString("disabled_reason"), rs.getInt("consecutive_failures"),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("updated_at")));
    }

    private static java.time.Instant instant(Timestamp t) {
        return t.toInstant();
    }

    /** A message to deliver, with what signing and logging it needs. */
    record Pending(long id, UUID endpointId, UUID userId, String url, String secret, String eventId, String eventType,
            String payload, int attempts) {

        /** For the log: never the secret or the payload. */
        @Override
        public String toString() {
            return eventId + " (" + eventType + ") to endpoint " + endpointId;
        }
    }
}
