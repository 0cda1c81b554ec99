/**
 * Metered usage (seed 001 §6.6, §7.3): storage of the gateway's usage records and per-account summaries. The public API is {@link io.iploop.server.usage.UsageService}.
 */
@NullMarked
package io.iploop.server.usage;

import org.jspecify.annotations.NullMarked;
