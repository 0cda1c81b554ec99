/**
 * Platform wiring: data source (external or embedded PostgreSQL), Spring Security filter chain with stateless JWT authentication, and the error envelope handler. Nothing here is used directly by features.
 */
@NullMarked
package io.iploop.server.platform.internal;

import org.jspecify.annotations.NullMarked;
