/**
 * Plans implementation: repository for {@code plans}, {@code user_plans} and {@code plan_signup_setting}, the
 * public plan catalogue endpoint, the admin plan and sign-up plan endpoints,
 * the gateway's {@link io.iploop.gateway.spi.LimitsProvider} and the usage listener that moves used bytes from
 * the balance to the used GB.
 */
@NullMarked
package io.iploop.server.plans.internal;

import org.jspecify.annotations.NullMarked;
