package io.iploop.server.subusers;

/**
 * A sub-user just created, with its secret: the only time the secret exists outside the caller's
 * hands (stored as SHA-256 only). Immutable.
 *
 * @param password the sub-user's secret, {@code iploop_} + 48 hex: the proxy password, to which
 *     targeting parameters are appended as with an API key
 */
public record CreatedSubUser(SubUser subUser, String password) {}
