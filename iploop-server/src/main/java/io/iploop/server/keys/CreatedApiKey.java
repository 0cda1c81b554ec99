package io.iploop.server.keys;

/**
 * A key just created: {@code key} is the full secret ({@code iploop_} + 48 hex), shown once and
 * never retrievable again (only its SHA-256 is stored). Immutable.
 */
public record CreatedApiKey(ApiKey apiKey, String key) {}
