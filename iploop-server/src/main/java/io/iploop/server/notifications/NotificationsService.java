package io.iploop.server.notifications;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The notifications feature's public API (docs/plans-and-alerts.md#notifications). Every read and
 * change is scoped by the account. Thread-safe.
 */
public interface NotificationsService {

    /** Most notifications {@link #recent} returns. */
    int MAX_LIST = 100;

    /**
     * Adds an unread notification for {@code userId}; joins the caller's transaction when there is one,
     * so it exists if and only if the change causing it commits.
     *
     * @param title one line, at most 200 characters (longer is cut)
     * @param link a dashboard path, or null
     */
    Notification notify(UUID userId, String kind, String title, String body, @Nullable String link);

    /** The account's newest notifications, newest first, at most {@code limit} (1 to {@link #MAX_LIST}). */
    List<Notification> recent(UUID userId, int limit);

    /** The account's newest unread notifications, newest first, at most {@code limit} (1 to {@link #MAX_LIST}). */
    List<Notification> recentUnread(UUID userId, int limit);

    /** How many of the account's notifications are unread. */
    long unreadCount(UUID userId);

    /**
     * Marks one of the account's notifications read (again: no change).
     *
     * @throws NotificationsException {@code NOT_FOUND} when the account has no notification with this id
     */
    Notification markRead(UUID userId, UUID notificationId);

    /** Marks every unread notification of the account read; returns how many were unread. */
    int markAllRead(UUID userId);
}
