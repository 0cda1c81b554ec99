/**
 * Sub-users (docs/sub-users.md): an account's own users of the proxy, each with its own proxy
 * credentials ({@code CUSTOMERID-sub-NAME} and a secret shown once), traffic limit, request limits
 * within the plan, allowed targeting, IP whitelist and expiry; their usage counted against their
 * limit, and their limits handed to the gateway. The public API is
 * {@link io.iploop.server.subusers.SubUsersService}.
 */
@NullMarked
package io.iploop.server.subusers;

import org.jspecify.annotations.NullMarked;
