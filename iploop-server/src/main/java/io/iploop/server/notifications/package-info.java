/**
 * In-dashboard notifications (docs/plans-and-alerts.md#notifications): features add a message for an
 * account, inside the transaction of the change that causes it; the account lists them, sees how many
 * are unread (the bell in the dashboard's top bar) and marks them read. The public API is
 * {@link io.iploop.server.notifications.NotificationsService}. It may depend only on {@code platform},
 * so any feature can notify without a cycle.
 */
@NullMarked
@ApplicationModule(allowedDependencies = {"platform", "platform :: v2"})
package io.iploop.server.notifications;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
