/**
 * Accounts (seed 001 §4, §6.1): users, registration, login with JWT, profile, roles. The public API is {@link io.iploop.server.accounts.AccountsService}.
 */
@NullMarked
package io.iploop.server.accounts;

import org.jspecify.annotations.NullMarked;
