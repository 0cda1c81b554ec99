/**
 * Plans implementation: repository for {@code plans} and {@code user_plans} and the public plan catalogue endpoint.
 */
@NullMarked
package io.iploop.server.plans.internal;

import org.jspecify.annotations.NullMarked;
