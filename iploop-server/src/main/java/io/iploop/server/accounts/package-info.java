/**
 * Accounts (docs/product/accounts.md#login, #account-statuses-and-roles, #two-factor-authentication, #login-sessions): users, registration, login with JWT, TOTP
 * two-factor authentication, login sessions, profile, roles. The public API is {@link io.iploop.server.accounts.AccountsService}.
 */
@NullMarked
package io.iploop.server.accounts;

import org.jspecify.annotations.NullMarked;
