package io.iploop.server.pool.internal;

import io.iploop.server.platform.AdminTokenPrincipal;
import io.iploop.server.platform.AuthenticatedUser;
import java.util.UUID;
import org.springframework.security.core.Authentication;

/** The admin an admin-API request acts for: the logged-in admin, or an admin API token's owner. Stateless. */
final class Actors {

    private Actors() {}

    static UUID of(Authentication auth) {
        Object p = auth.getPrincipal();
        if (p instanceof AuthenticatedUser u) {
            return u.userId();
        }
        if (p instanceof AdminTokenPrincipal t) {
            return t.ownerId();
        }
        throw new IllegalStateException("unexpected principal " + (p == null ? "null" : p.getClass().getSimpleName()));
    }
}
