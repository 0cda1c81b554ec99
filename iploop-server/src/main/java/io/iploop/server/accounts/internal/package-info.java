/**
 * Accounts implementation: the REST controller under {@code /api/auth}, the users repository and its SQL.
 */
@NullMarked
package io.iploop.server.accounts.internal;

import org.jspecify.annotations.NullMarked;
