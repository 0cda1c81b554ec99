package io.iploop.server.notifications.internal;

import io.iploop.server.notifications.Notification;
import io.iploop.server.notifications.NotificationsException;
import io.iploop.server.notifications.NotificationsService;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The notifications service with its SQL on {@code notifications}. Thread-safe. */
@Service
class DefaultNotificationsService implements NotificationsService {

    private static final int MAX_TITLE = 200;

    private final JdbcClient jdbc;

    DefaultNotificationsService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    @Transactional
    public Notification notify(UUID userId, String kind, String title, String body, @Nullable String link) {
        return jdbc.sql("""
                        INSERT INTO notifications (user_id, kind, title, body, link)
                        VALUES (:userId, :kind, :title, :body, :link) RETURNING *""")
                .param("userId", userId).param("kind", kind)
                .param("title", title.length() > MAX_TITLE ? title.substring(0, MAX_TITLE) : title)
                .param("body", body).param("link", link)
                .query(DefaultNotificationsService::map).single();
    }

    @Override
    public List<Notification> recent(UUID userId, int limit) {
        return newest(userId, limit, "");
    }

    @Override
    public List<Notification> recentUnread(UUID userId, int limit) {
        return newest(userId, limit, " AND read_at IS NULL");
    }

    private List<Notification> newest(UUID userId, int limit, String condition) {
        int n = Math.clamp(limit, 1, MAX_LIST);
        return jdbc.sql("SELECT * FROM notifications WHERE user_id = :userId" + condition
                        + " ORDER BY created_at DESC, id LIMIT :n")
                .param("userId", userId).param("n", n).query(DefaultNotificationsService::map).list();
    }

    @Override
    public long unreadCount(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM notifications WHERE user_id = :userId AND read_at IS NULL")
                .param("userId", userId).query(Long.class).single();
    }

    @Override
    @Transactional
    public Notification markRead(UUID userId, UUID notificationId) {
        return jdbc.sql("""
                        UPDATE notifications SET read_at = coalesce(read_at, now())
                        WHERE id = :id AND user_id = :userId RETURNING *""")
                .param("id", notificationId).param("userId", userId)
                .query(DefaultNotificationsService::map).optional()
                .orElseThrow(() -> new NotificationsException(NotificationsException.Reason.NOT_FOUND,
                        "no notification " + notificationId, null));
    }

    @Override
    @Transactional
    public int markAllRead(UUID userId) {
        return jdbc.sql("UPDATE notifications SET read_at = now() WHERE user_id = :userId AND read_at IS NULL")
                .param("userId", userId).update();
    }

    private static Notification map(ResultSet rs, int row) throws SQLException {
        Timestamp read = rs.getTimestamp("read_at");
        return new Notification(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("title"),
                rs.getString("body"), rs.getString("link"), rs.getTimestamp("created_at").toInstant(),
                read == null ? null : read.toInstant());
    }
}
