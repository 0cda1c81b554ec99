/**
 * Metering: the gateway's Micrometer meters and the batcher that writes usage records to the
 * host's {@link io.iploop.gateway.spi.UsageSink} every flush interval, retrying failed batches and
 * flushing everything on graceful shutdown (docs/product/usage.md#metering).
 */
@NullMarked
package io.iploop.gateway.metering;

import org.jspecify.annotations.NullMarked;
