package io.iploop.server.accounts;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A user registered themselves ({@code POST /api/auth/register}); published inside the
 * registration's transaction, so a listener that throws rolls the registration back (the earn
 * feature refuses an unknown referral code that way, naming the field {@code ref}). Immutable.
 *
 * @param referralCode the {@code ref} query parameter as given (docs/product/earn.md#referrals), or null
 * @param clientIp the address the registration came from, or null outside an HTTP request (the
 *     earn feature's linked-account rule compares it, docs/earn-fraud.md)
 */
public record AccountRegistered(UUID userId, String email, @Nullable String referralCode, @Nullable String clientIp) {}
