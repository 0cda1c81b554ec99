/**
 * Plan limits enforced by the data plane in one place (docs/product/plans.md#rate-limits, #entitlements): per-account
 * token buckets for requests per second, a requests-per-UTC-day counter, a concurrent-connection
 * counter and a byte budget leased from the control plane through
 * {@link io.iploop.gateway.spi.LimitsProvider}, refreshed off the event loop.
 */
@NullMarked
package io.iploop.gateway.limits;

import org.jspecify.annotations.NullMarked;
