/**
 * Spring MVC wiring of the {@code /api/v2} conventions: the query interceptor and argument resolver,
 * the envelope response advice, the ETag filter and the OpenAPI customizer.
 */
@NullMarked
package io.iploop.server.platform.v2.internal;

import org.jspecify.annotations.NullMarked;
