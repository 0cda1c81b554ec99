package io.iploop.server.accounts;

import java.time.Instant;

/** A successful login or registration: a bearer JWT, its expiry and the account. Immutable. */
public record LoginResult(String token, Instant expiresAt, Account account) {}
