package io.iploop.server.notifications.internal;

import io.iploop.server.notifications.Notification;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's notifications (docs/plans-and-alerts.md#notifications): {@code GET /api/notifications},
 * {@code PUT} (or {@code POST}) {@code /api/notifications/{id}/read} and {@code /api/notifications/read-all}. Another
 * account's id answers 404 {@code notification_not_found}.
 */
@RestController
@RequestMapping("/api/notifications")
@Tag(name = "notifications", description = "In-dashboard notifications")
class NotificationsController {

    private final NotificationsService notifications;

    NotificationsController(NotificationsService notifications) {
        this.notifications = notifications;
    }

    @GetMapping
    @Operation(summary = "The caller's newest notifications (limit 1-100, default 20; unread=true for unread ones"
            + " only) and the unread count")
    NotificationsResponse list(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "20") int limit, @RequestParam(defaultValue = "false") boolean unread) {
        List<Notification> list = unread ? notifications.recentUnread(caller.userId(), limit)
                : notifications.recent(caller.userId(), limit);
        return new NotificationsResponse(list, notifications.unreadCount(caller.userId()));
    }

    @PutMapping("/{id}/read")
    @Operation(summary = "Mark one notification read; 404 notification_not_found for an unknown id")
    Notification putRead(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return read(caller, id);
    }

    @PutMapping("/read-all")
    @Operation(summary = "Mark every notification read; answers how many were unread")
    MarkedResponse putReadAll(@AuthenticationPrincipal AuthenticatedUser caller) {
        return readAll(caller);
    }

    @PostMapping("/{id}/read")
    @Operation(summary = "Mark one notification read; 404 notification_not_found for an unknown id")
    Notification read(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return notifications.markRead(caller.userId(), id);
    }

    @PostMapping("/read-all")
    @Operation(summary = "Mark every notification read; answers how many were unread")
    MarkedResponse readAll(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new MarkedResponse(notifications.markAllRead(caller.userId()));
    }

    record NotificationsResponse(List<Notification> notifications, long unread) {}

    record MarkedResponse(int marked) {}
}
