/**
 * Proxy API keys (seed 001 §6.2, §5.5; seed 000 §9.2, §9.3): issuing keys shown once, listing, disabling, deleting and rotating them, per-key and account-level IP whitelists, and checking proxy credentials for the gateway. The public API is {@link io.iploop.server.keys.ApiKeysService}.
 */
@NullMarked
package io.iploop.server.keys;

import org.jspecify.annotations.NullMarked;
