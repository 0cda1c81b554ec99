/**
 * Plans and subscriptions (docs/product/plans.md#catalogue, #subscriptions): the plan catalogue and the plan each account is on. The public API is {@link io.iploop.server.plans.PlansService}.
 */
@NullMarked
package io.iploop.server.plans;

import org.jspecify.annotations.NullMarked;
