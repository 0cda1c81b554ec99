package io.iploop.server.earn;

import java.time.Instant;

/**
 * A user who signed up with the caller's code, masked (docs/product/earn.md#referrals). Immutable.
 *
 * @param name first name's initial and last name's initial, e.g. {@code "J*** D***"}
 * @param email masked, e.g. {@code "j***@example.com"}
 * @param refereeEarnings bandwidth credits the referee earned since joining
 * @param yourCommission the caller's commission from them, in credits
 */
public record ReferredUser(String name, String email, Instant joinedAt, String status, long refereeEarnings,
        long yourCommission) {}
