/**
 * Metered usage (docs/product/usage.md#analytics, #metering): storage of the gateway's usage
 * records and the per-account analytics over them (summary; daily, hourly, country, API key, HTTP
 * status and domain breakdowns; recent records), each also as a CSV export. The public API is
 * {@link io.iploop.server.usage.UsageService}.
 */
@NullMarked
package io.iploop.server.usage;

import org.jspecify.annotations.NullMarked;
