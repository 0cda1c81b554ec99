/**
 * API keys implementation: the REST controllers under {@code /api/proxy/keys} and {@code /api/account/ip-whitelist}, whitelist parsing, the repository and the gateway's {@code ProxyAuthenticator}.
 */
@NullMarked
package io.iploop.server.keys.internal;

import org.jspecify.annotations.NullMarked;
