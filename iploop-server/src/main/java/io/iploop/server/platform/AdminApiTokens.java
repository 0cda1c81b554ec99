package io.iploop.server.platform;

import java.util.Optional;

/**
 * Admin API tokens ({@code iploop_admin_…}, docs/upstream-pool.md#admin-api-and-tokens) as the
 * security chain needs them: the platform's filter asks whether a presented token is valid now. The
 * interface lives here and is implemented by the feature that stores the tokens (the pool feature),
 * because that feature depends on the platform and not the other way round. Implementations are
 * thread-safe and may block (a database).
 */
public interface AdminApiTokens {

    /** The prefix that tells an admin API token from a JWT in {@code Authorization: Bearer}. */
    String PREFIX = "iploop_admin_";

    /**
     * @param token the bearer value as presented, starting with {@link #PREFIX}
     * @return the token's principal if it exists, is not revoked and has not expired; empty
     *     otherwise (the chain answers 401)
     */
    Optional<AdminTokenPrincipal> verify(String token);
}
