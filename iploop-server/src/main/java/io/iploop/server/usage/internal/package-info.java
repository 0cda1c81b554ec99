/**
 * Usage implementation: the gateway's {@code UsageSink} (idempotent batch insert), the repository and the REST controller under {@code /api/usage}.
 */
@NullMarked
package io.iploop.server.usage.internal;

import org.jspecify.annotations.NullMarked;
