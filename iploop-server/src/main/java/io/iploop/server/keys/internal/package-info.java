/**
 * API keys implementation: the REST controller under {@code /api/proxy/keys}, the repository and the gateway's {@code ProxyAuthenticator}.
 */
@NullMarked
package io.iploop.server.keys.internal;

import org.jspecify.annotations.NullMarked;
