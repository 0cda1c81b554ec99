/**
 * Customer proxy credentials: parsing {@code CUSTOMER_ID:API_KEY[-name-value]*} into a key and
 * {@link io.iploop.gateway.routing.Targeting} (docs/product/proxy.md#credentials), and the
 * short-lived cache in front of the host's {@link io.iploop.gateway.spi.ProxyAuthenticator}.
 */
@NullMarked
package io.iploop.gateway.auth;

import org.jspecify.annotations.NullMarked;
