/**
 * Metering: the gateway's Micrometer meters and the batcher that writes usage records to the
 * host's {@link io.iploop.gateway.spi.UsageSink} every flush interval, retrying failed batches and
 * flushing everything on graceful shutdown (DESIGN §5).
 */
@NullMarked
package io.iploop.gateway.metering;

import org.jspecify.annotations.NullMarked;
