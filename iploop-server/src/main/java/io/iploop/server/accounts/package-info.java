/**
 * Accounts (seed 001 §4, §6.1; seed 000 §9.1, §9.4): users, registration, login with JWT, TOTP
 * two-factor authentication, login sessions, profile, roles. The public API is {@link io.iploop.server.accounts.AccountsService}.
 */
@NullMarked
package io.iploop.server.accounts;

import org.jspecify.annotations.NullMarked;
