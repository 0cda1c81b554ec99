/**
 * Audit log (docs/product/accounts.md#audit-log): an append-only record of security-relevant actions (logins, logouts,
 * password changes, 2FA, sessions, API and node keys, IP whitelists, plan changes). Other features call {@link io.iploop.server.audit.AuditService}
 * inside their own transaction, so an action and its audit entry commit together.
 * It may depend only on {@code platform}, so any feature can record an entry without a cycle.
 */
@NullMarked
@ApplicationModule(allowedDependencies = {"platform", "platform :: v2"})
package io.iploop.server.audit;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
