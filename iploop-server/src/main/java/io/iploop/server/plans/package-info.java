/**
 * Plans and subscriptions (seed 000 §5.2, seed 001 §6.3-6.4): the plan catalogue and the plan each account is on. The public API is {@link io.iploop.server.plans.PlansService}.
 */
@NullMarked
package io.iploop.server.plans;

import org.jspecify.annotations.NullMarked;
