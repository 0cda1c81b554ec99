package io.iploop.server.pool;

/**
 * A new admin API token: {@code token} is shown this once and stored only as its SHA-256. Immutable.
 *
 * @param token {@code iploop_admin_} + 48 hex characters
 * @param details the stored token
 */
public record CreatedAdminToken(String token, AdminToken details) {}
