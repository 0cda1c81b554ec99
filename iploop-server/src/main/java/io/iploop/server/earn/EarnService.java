package io.iploop.server.earn;

import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.nodes.DeviceRegistration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The earn feature's public API (docs/product/earn.md). Every method on an operator's data is
 * scoped by {@code userId}: another operator's device is {@code device_not_found} (404). Thread-safe.
 */
public interface EarnService {

    /**
     * Registers the calling agent's device for the owner of {@code nodeKey} (docs/product/earn.md#devices).
     *
     * @throws io.iploop.server.nodes.NodesException {@code INVALID_NODE_KEY} (401),
     *     {@code INVALID_DEVICE} naming the field, {@code DEVICE_TAKEN} (409)
     */
    EarnDevice registerDevice(String nodeKey, DeviceRegistration registration);

    /** The operator's devices (not removed) with per-device earnings, oldest first. */
    List<EarnDevice> devices(UUID userId);

    /**
     * Pauses ({@code true}) or resumes sharing on a device; the gateway selects a paused device for
     * no new stream within about a second. @throws io.iploop.server.nodes.NodesException
     * {@code DEVICE_NOT_FOUND}
     */
    EarnDevice setPaused(UUID userId, UUID deviceId, boolean paused);

    /** Renames a device (1-100 characters). @throws io.iploop.server.nodes.NodesException as above */
    EarnDevice rename(UUID userId, UUID deviceId, String name);

    /**
     * What the operator's device carried per UTC day and destination host on the days {@code from}
     * to {@code to} (ISO dates, both included; null or blank: {@code to} today UTC, {@code from} six
     * days before {@code to}), newest day first, most bytes first, at most 200 hosts a day
     * (docs/product/earn.md#traffic-transparency). Host names and byte counts only: paths and
     * contents are never recorded, customers appear as a count and the set of their declared categories
     * (docs/operator-transparency.md#customer-categories), never by identity.
     *
     * @throws io.iploop.server.nodes.NodesException {@code DEVICE_NOT_FOUND}, also for another
     *     operator's device
     * @throws EarnException {@code INVALID_PARAMETER} naming {@code from} or {@code to}: not a date,
     *     from after to, or more than 31 days
     */
    List<DeviceTraffic> traffic(UUID userId, UUID deviceId, @Nullable String from, @Nullable String to);

    /**
     * The device's agent byte reconciliation per UTC day, newest first, every day of the range
     * (same range rules and errors as {@link #traffic}): metered, gateway-relayed and agent-reported
     * bytes and their difference (docs/operator-transparency.md#agent-byte-reconciliation).
     */
    List<TrafficReconciliation> reconciliation(UUID userId, UUID deviceId, @Nullable String from, @Nullable String to);

    /**
     * Stores a node agent's own byte count (untrusted, never credited); see
     * {@link io.iploop.server.nodes.NodesService#reportAgentTraffic} for the rules and errors.
     */
    void reportAgentTraffic(String nodeKey, io.iploop.server.nodes.AgentTrafficReport report);

    /** Removes a device from the list and pauses it. @throws io.iploop.server.nodes.NodesException */
    void remove(UUID userId, UUID deviceId);

    /**
     * Turns every contribution recorded before {@code periodEnd} and not yet credited into credits:
     * one {@code device_earnings} row and one EARN_CREDIT (idempotency key
     * {@code earn:<device>:<periodStart>}) per device, each in its own database transaction with
     * the contributions' credited mark, under the device's row lock. Safe to call concurrently from
     * any number of threads or instances: a contribution is credited exactly once.
     */
    CreditRun creditUpTo(Instant periodEnd);

    /** Balance, today/week/month, tier and active multipliers. */
    EarnBalance balance(UUID userId);

    /**
     * The operator's ledger lines (earnings account), newest first.
     *
     * @param page 1-based; @param limit 1-100
     * @throws EarnException {@code INVALID_PARAMETER} naming {@code page} or {@code limit}
     */
    LedgerPage history(UUID userId, int page, int limit);

    /**
     * Daily bytes and credits. @param period {@code 7d}, {@code 30d}, {@code 90d} or {@code 1y}
     * @throws EarnException {@code INVALID_PARAMETER} (field {@code period})
     */
    EarnStats stats(UUID userId, String period);

    /** The multipliers that apply now, per device and in total. */
    MultiplierBreakdown multipliers(UUID userId);

    /** The operator's device-periods, newest first, at most {@code limit} (1-100000). */
    List<DeviceEarning> earnings(UUID userId, int limit);

    /** The user's referral code (created on first use) and sign-up link. */
    ReferralCode referralCode(UUID userId);

    /** The user's referral totals. */
    ReferralStats referralStats(UUID userId);

    /** Users who signed up with the caller's code, newest first, masked. */
    List<ReferredUser> referrals(UUID userId);

    /**
     * The user whose referral code is {@code code} (trimmed, case-insensitive), if any. The one referral
     * code per user serves the operator referral and the campaign affiliate programme alike
     * (docs/affiliates.md#one-code-one-capture).
     */
    Optional<UUID> referralCodeOwner(String code);

    /**
     * Who referred {@code userId} at sign-up (the one {@code referred_by} of both programmes,
     * docs/affiliates.md#one-code-one-capture); empty when nobody did or the referral was refused
     * because the two accounts are linked (docs/earn-fraud.md).
     */
    Optional<UUID> referrerOf(UUID userId);

    /**
     * Why two distinct accounts look like one person (docs/earn-fraud.md#linked-accounts): {@code signup-ip}
     * or an {@link AccountLinkSignals#kind()} such as {@code payment-method}; empty when they are not linked
     * or are the same account. Read-only; for other features' self-dealing checks (the affiliate
     * commission, docs/affiliates.md#self-dealing).
     */
    Optional<String> linkBetween(UUID a, UUID b);

    /** Admin view of one user's earnings. @throws EarnException {@code USER_NOT_FOUND} */
    AdminEarnView adminView(UUID userId);

    /**
     * Every user's open device-scope earnings review flags (docs/earn-fraud.md#3-earnings-jumps-need-an-admin),
     * oldest first, at most 10 000: what the auto-ban rule {@code earnings-anomaly} acts on
     * (docs/moderation.md#auto-ban-rules). Each has a {@link ReviewFlag#nodeId()}.
     */
    List<ReviewFlag> openDeviceReviewFlags();

    /** The user's open earnings review flags, oldest first (empty: nothing blocks auto-approval). */
    List<ReviewFlag> openReviewFlags(UUID userId);

    /**
     * Admin: clears every open review flag of the user, audited with the note; the user's next
     * cash-outs may be auto-approved again. Idempotent.
     *
     * @return the flags cleared
     */
    List<ReviewFlag> clearReviewFlags(UUID adminId, UUID userId, @Nullable String note);
}
