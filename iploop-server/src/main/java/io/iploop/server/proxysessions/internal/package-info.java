/** Implementation of the proxy sessions feature: the {@code /api/proxy/sessions} controller and the
 * data plane's sticky-session store (PostgreSQL, or Redis when {@code IPLOOP_REDIS_URL} is set). */
@NullMarked
package io.iploop.server.proxysessions.internal;

import org.jspecify.annotations.NullMarked;
