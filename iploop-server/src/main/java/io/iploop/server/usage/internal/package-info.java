/**
 * Usage implementation: the gateway's {@code UsageSink} (idempotent batch insert), the repository
 * with every SQL statement on {@code usage_records}, the CSV writer and the REST controller under
 * {@code /api/usage}.
 */
@NullMarked
package io.iploop.server.usage.internal;

import org.jspecify.annotations.NullMarked;
