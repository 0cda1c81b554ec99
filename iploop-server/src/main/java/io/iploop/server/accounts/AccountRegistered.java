package io.iploop.server.accounts;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account was created: by its owner ({@code POST /api/auth/register}), by an admin, at first
 * start or by the local admin. Published synchronously inside the transaction that inserts the
 * account, so a listener's work commits with the account and a listener that throws rolls the
 * account back (the plans feature subscribes the account to the sign-up plan; the earn feature
 * refuses an unknown referral code of a self-registration, naming the field {@code ref};
 * docs/architecture.md). Immutable.
 *
 * @param selfRegistered true when the user registered themselves through the API or the sign-up
 *     page; only then do {@code referralCode} and {@code clientIp} come from the user
 * @param referralCode the {@code ref} query parameter as given (docs/product/earn.md#referrals), or null
 * @param clientIp the address the registration came from, or null outside an HTTP request (the
 *     earn feature's linked-account rule compares it, docs/earn-fraud.md)
 */
public record AccountRegistered(UUID userId, String email, boolean selfRegistered, @Nullable String referralCode,
        @Nullable String clientIp) {}
