/**
 * Proxy API keys (docs/product/proxy.md#api-keys, #key-rotation, docs/product/accounts.md#ip-whitelist): issuing keys shown once, listing, disabling, deleting and rotating them, per-key and account-level IP whitelists, and checking proxy credentials for the gateway. The public API is {@link io.iploop.server.keys.ApiKeysService}.
 */
@NullMarked
package io.iploop.server.keys;

import org.jspecify.annotations.NullMarked;
