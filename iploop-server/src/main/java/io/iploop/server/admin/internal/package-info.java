/**
 * Admin overview implementation: the statistics service and {@code GET /api/admin/stats}.
 */
@NullMarked
package io.iploop.server.admin.internal;

import org.jspecify.annotations.NullMarked;
