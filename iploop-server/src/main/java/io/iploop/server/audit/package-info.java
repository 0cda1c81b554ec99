/**
 * Audit log (seed 000 §9.5): an append-only record of security-relevant actions (logins, logouts,
 * password changes, API and node keys). Other features call {@link io.iploop.server.audit.AuditService}
 * inside their own transaction, so an action and its audit entry commit together.
 */
@NullMarked
package io.iploop.server.audit;

import org.jspecify.annotations.NullMarked;
