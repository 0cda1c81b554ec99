package io.iploop.server.accounts;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An open login session as its owner sees it (docs/product/accounts.md#login-sessions): where and on what it was opened,
 * and when it was last used. Immutable.
 *
 * @param id the session id, also the JWT's {@code sid}
 * @param ipAddress the address the login came from, or null
 * @param deviceType {@code desktop}, {@code mobile}, {@code tablet}, {@code api client} or
 *     {@code unknown}, guessed from the user agent
 * @param location {@code "City, Region, CC"} from GeoIP when a database is configured, else null
 * @param twoFactor true when the login used a second factor
 * @param lastActiveAt last request with the session's token, to the minute
 */
public record UserSession(UUID id, @Nullable String ipAddress, @Nullable String userAgent, String deviceType,
        @Nullable String location, boolean twoFactor, Instant createdAt, Instant lastActiveAt, Instant expiresAt) {}
