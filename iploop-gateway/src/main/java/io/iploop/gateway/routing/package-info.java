/**
 * What a customer asks of its exit: the validated targeting and session parameters of the proxy
 * password ({@link io.iploop.gateway.routing.Targeting};
 * docs/product/proxy.md#targeting-parameters), shared by
 * credential parsing, plan limits and node selection without tying them to each other.
 */
@NullMarked
package io.iploop.gateway.routing;

import org.jspecify.annotations.NullMarked;
