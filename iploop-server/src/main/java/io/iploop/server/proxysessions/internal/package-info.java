/** Implementation of the proxy sessions feature: the {@code /api/proxy/sessions} controller. */
@NullMarked
package io.iploop.server.proxysessions.internal;

import org.jspecify.annotations.NullMarked;
