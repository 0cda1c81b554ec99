/**
 * Admin overview (docs/product/admin.md): system-wide statistics for the admin dashboard,
 * composed from the owning features' public services (accounts, plans, keys, usage, nodes) and never
 * from their tables. User and plan management live in the accounts and plans features; this module
 * only reads. The public API is {@link io.iploop.server.admin.AdminStatsService}.
 */
@NullMarked
package io.iploop.server.admin;

import org.jspecify.annotations.NullMarked;
