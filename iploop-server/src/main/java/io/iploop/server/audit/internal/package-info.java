/**
 * Audit implementation: the {@code audit_logs} repository, the service that adds the caller's IP and
 * user agent from the current HTTP request, and {@code GET /api/audit-logs}.
 */
@NullMarked
package io.iploop.server.audit.internal;

import org.jspecify.annotations.NullMarked;
