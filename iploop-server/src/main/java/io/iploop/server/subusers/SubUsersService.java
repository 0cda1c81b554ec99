package io.iploop.server.subusers;

import java.util.List;
import java.util.UUID;

/**
 * The sub-users of an account (docs/sub-users.md). Every method is scoped by the calling account:
 * another account's sub-user id is {@link SubUsersException.Reason#NOT_FOUND}. Changes reach the
 * gateway within its credential cache window (5 s) and limits refresh (2 s). Thread-safe.
 */
public interface SubUsersService {

    /** Most sub-users per account. */
    int MAX_SUB_USERS = 100;

    /** The account's sub-users, oldest first, with their usage in the current limit period. */
    List<SubUser> list(UUID userId);

    /** @throws SubUsersException NOT_FOUND */
    SubUser get(UUID userId, UUID subUserId);

    /**
     * Creates a sub-user with a fresh secret, shown in the answer only.
     *
     * @param name 1-32 of {@code [a-z0-9_]}, unique in the account
     * @throws SubUsersException INVALID (400) naming the field, NAME_TAKEN, LIMIT_REACHED
     * @throws io.iploop.server.keys.KeysException INVALID_WHITELIST (400, field {@code ipWhitelist})
     */
    CreatedSubUser create(UUID userId, String name, SubUserSpec spec);

    /** Replaces the settings (not the name, not the secret). @throws SubUsersException NOT_FOUND, INVALID */
    SubUser update(UUID userId, UUID subUserId, SubUserSpec spec);

    /** Enables or disables; a disabled sub-user's credentials get 407. @throws SubUsersException NOT_FOUND */
    SubUser setEnabled(UUID userId, UUID subUserId, boolean enabled);

    /** Deletes the sub-user (its usage rows keep its id). @throws SubUsersException NOT_FOUND */
    void delete(UUID userId, UUID subUserId);
}
