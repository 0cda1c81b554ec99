/**
 * Proxy API keys (seed 001 §6.2, §5.5): issuing keys shown once, listing them, and checking proxy credentials for the gateway. The public API is {@link io.iploop.server.keys.ApiKeysService}.
 */
@NullMarked
package io.iploop.server.keys;

import org.jspecify.annotations.NullMarked;
