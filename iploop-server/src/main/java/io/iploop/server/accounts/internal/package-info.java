/**
 * Accounts implementation: the REST controllers under {@code /api/auth} and {@code /api/admin/users}, the users
 * repository and its SQL.
 */
@NullMarked
package io.iploop.server.accounts.internal;

import org.jspecify.annotations.NullMarked;
