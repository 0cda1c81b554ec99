/**
 * Usage implementation: the gateway's {@code UsageSink} (sanitised, idempotent batch insert that
 * sets refused records aside in {@code usage_dead_letters}), the repositories with every SQL
 * statement on those tables, the CSV writer and the REST controllers under {@code /api/usage} and
 * {@code /api/admin/usage}.
 */
@NullMarked
package io.iploop.server.usage.internal;

import org.jspecify.annotations.NullMarked;
