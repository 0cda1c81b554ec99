/**
 * Plans implementation: repository for {@code plans} and {@code user_plans}, the public plan catalogue endpoint,
 * the gateway's {@link io.iploop.gateway.spi.LimitsProvider} and the usage listener that moves used bytes from
 * the balance to the used GB.
 */
@NullMarked
package io.iploop.server.plans.internal;

import org.jspecify.annotations.NullMarked;
