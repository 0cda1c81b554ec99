/**
 * Accounts implementation: the REST controllers under {@code /api/auth} (login, 2FA, sessions) and
 * {@code /api/admin/users} (with the admin's 2FA reset), the repositories of users, sessions, backup
 * codes, tokens and login throttling with their SQL, and the TOTP codes.
 */
@NullMarked
package io.iploop.server.accounts.internal;

import org.jspecify.annotations.NullMarked;
