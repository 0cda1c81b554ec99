/**
 * Earn implementation: the SQL of contributions, device earnings, operators and referrals, the
 * credit arithmetic, the {@code earn-credits} job, event listeners and the REST controllers.
 */
@NullMarked
package io.iploop.server.earn.internal;

import org.jspecify.annotations.NullMarked;
