/**
 * Admin overview (docs/product/admin.md): system-wide statistics for the admin dashboard,
 * composed from the owning features' public services (accounts, plans, keys, usage, nodes) and never
 * from their tables, and the admin user management ({@code /api/admin/users}), which combines
 * accounts, plans, keys and usage; plan management lives in the plans feature. Also the
 * operator's shell access without the admin 2FA login: {@code iploop admin} ({@link
 * io.iploop.server.admin.LocalAdminCli}) calls loopback-only endpoints guarded by the token of
 * {@link io.iploop.server.admin.LocalAdminAccess}, which change plans and balances through the plans
 * service like the admin API. The public API is {@link io.iploop.server.admin.AdminStatsService}.
 */
@NullMarked
package io.iploop.server.admin;

import org.jspecify.annotations.NullMarked;
