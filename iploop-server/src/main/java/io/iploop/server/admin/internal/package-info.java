/**
 * Admin overview implementation: the statistics service and {@code GET /api/admin/stats}; and the
 * local admin access of {@code iploop admin}: the token written to the data directory
 * ({@link io.iploop.server.admin.internal.LocalAdminToken}), its own security filter chain (token
 * and loopback peer only, no JWT) and the {@code /api/local-admin/**} endpoints, which act through
 * the accounts and plans services as the oldest admin account.
 */
@NullMarked
package io.iploop.server.admin.internal;

import org.jspecify.annotations.NullMarked;
