package io.iploop.server.web.internal;

import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.platform.AuthenticatedUser;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The notifications page behind the top bar's bell (docs/plans-and-alerts.md#notifications): the
 * caller's newest notifications, unread ones highlighted, each with "Mark read", and "Mark all read".
 * Another account's id is a plain 404 page.
 */
@Controller
class NotificationsPagesController {

    private static final int SHOWN = 50;

    private final NotificationsService notifications;

    NotificationsPagesController(NotificationsService notifications) {
        this.notifications = notifications;
    }

    @GetMapping("/notifications")
    String list(@AuthenticationPrincipal AuthenticatedUser me, Model model) {
        model.addAttribute("notifications", notifications.recent(me.userId(), SHOWN));
        return "notifications";
    }

    @PostMapping("/notifications/{id}/read")
    String read(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        notifications.markRead(me.userId(), id);
        return "redirect:/notifications";
    }

    @PostMapping("/notifications/read-all")
    String readAll(@AuthenticationPrincipal AuthenticatedUser me) {
        notifications.markAllRead(me.userId());
        return "redirect:/notifications";
    }
}
