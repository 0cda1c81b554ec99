package io.iploop.server.billing.internal;

import io.iploop.gateway.spi.PremiumCredit;
import io.iploop.gateway.spi.PremiumTargeting;
import io.iploop.gateway.spi.TargetingOption;
import io.iploop.server.billing.CreditBalance;
import io.iploop.server.billing.FeatureSession;
import io.iploop.server.billing.TargetingRates;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Time-based targeting sessions (docs/billing.md#time-based-targeting), the gateway's
 * {@link PremiumTargeting}: what the prepaid credits pay for now ({@link #credit}, asked with every
 * limits refresh), the gateway's reports of premium use ({@link #used}: opens a session on first
 * use, moves its last use, raises its rate when a more expensive option appears; a use 5 minutes
 * or more after the last one starts a new session), and the per-minute charge ({@link #chargeAll}:
 * one balanced ledger transaction per session and batch of ended minutes, key
 * {@code feature-session:<id>:<first minute index>}, {@code CUSTOMER_CREDITS} to
 * {@code PREMIUM_TARGETING_REVENUE}, in the transaction that records the minutes as charged).
 * Thread-safe; each report and each session's charge is one database transaction under the
 * session's row lock.
 */
@Component
class FeatureSessions implements PremiumTargeting {

    private static final Logger log = LoggerFactory.getLogger(FeatureSessions.class);
    /** Rates shown with the balance (hours left), docs/product/billing.md#time-based-targeting. */
    private static final List<TargetingOption> SHOWN = List.of(TargetingOption.COUNTRY, TargetingOption.CITY,
            TargetingOption.STATE, TargetingOption.ISP);

    private final FeatureSessionRepository repository;
    private final LedgerService ledger;
    private final TransactionTemplate transactions;
    private final Clock clock;

    FeatureSessions(FeatureSessionRepository repository, LedgerService ledger, TransactionTemplate transactions,
            Clock clock) {
        this.repository = repository;
        this.ledger = ledger;
        this.transactions = transactions;
        this.clock = clock;
    }

    private BigDecimal balance(UUID userId) {
        return ledger.findAccount(userId, AccountPurpose.CUSTOMER_CREDITS).map(LedgerAccount::balance)
                .orElse(BigDecimal.ZERO);
    }

    /** USD an open session has used and not yet been charged. */
    private static BigDecimal owed(FeatureSessionRepository.Row r) {
        return TargetingRates.cost(r.ratePerHour(), r.minutesUsed())
                .subtract(TargetingRates.cost(r.ratePerHour(), r.minutesCharged())).max(BigDecimal.ZERO);
    }

    /**
     * An option is payable when the balance, less what the open session owes, covers one minute of
     * the open session's rate (an option no dearer than the session's: it continues), else one
     * hour at the option's own rate (a session starts, or moves to a dearer rate, only then:
     * docs/product/billing.md#time-based-targeting).
     */
    @Override
    public PremiumCredit credit(UUID userId) {
        BigDecimal balance = balance(userId);
        Optional<FeatureSessionRepository.Row> open = repository.open(userId);
        BigDecimal available = balance.subtract(open.map(FeatureSessions::owed).orElse(BigDecimal.ZERO));
        EnumSet<TargetingOption> payable = EnumSet.noneOf(TargetingOption.class);
        for (TargetingOption option : TargetingOption.values()) {
            BigDecimal rate = TargetingRates.perHour(option);
            BigDecimal need = open.isPresent() && rate.compareTo(open.get().ratePerHour()) <= 0
                    ? TargetingRates.cost(open.get().ratePerHour(), 1) : rate;
            if (available.compareTo(need) >= 0) {
                payable.add(option);
            }
        }
        boolean inUse = balance.signum() > 0 || open.isPresent() || repository.any(userId);
        return new PremiumCredit(payable, inUse);
    }

    @Override
    public void used(UUID userId, Set<TargetingOption> options, Instant lastUsed) {
        if (options.isEmpty()) {
            return;
        }
        TargetingOption highest = options.stream()
                .max((a, b) -> TargetingRates.perHour(a).compareTo(TargetingRates.perHour(b)) != 0
                        ? TargetingRates.perHour(a).compareTo(TargetingRates.perHour(b)) : a.compareTo(b))
                .orElseThrow();
        BigDecimal rate = TargetingRates.perHour(highest);
        transactions.executeWithoutResult(status -> {
            Optional<FeatureSessionRepository.Row> open = repository.lockOpen(userId);
            if (open.isPresent()) {
                FeatureSessionRepository.Row r = open.get();
                if (lastUsed.isBefore(r.lastUsedAt().plus(TargetingRates.IDLE_CLOSE))) {
                    boolean dearer = rate.compareTo(r.ratePerHour()) > 0;
                    repository.touch(r.id(), lastUsed, dearer ? name(highest) : r.feature(),
                            dearer ? rate : r.ratePerHour());
                    return;
                }
                // Idle for 5 minutes before this use: that session ended; the job charges what it owes.
                repository.close(r.id(), r.lastUsedAt().plus(TargetingRates.IDLE_CLOSE), "idle", false);
            }
            if (balance(userId).compareTo(rate) < 0) {
                // Traffic admitted just before the credits ran out (the gateway learns it within a refresh).
                log.debug("premium targeting of {} not opened: the balance does not cover an hour at {}", userId, rate);
                return;
            }
            repository.insert(UUID.randomUUID(), userId, name(highest), rate, lastUsed);
        });
    }

    /**
     * Charges every unsettled session up to {@code now}: the minutes that have ended (all used
     * minutes once the session is idle for 5 minutes or closed), as far as the balance covers
     * whole minutes; a session the balance no longer covers ends ({@code credits_exhausted}).
     * Idempotent: charged minutes are recorded with the posting, and the posting's key names the
     * first minute of the batch.
     *
     * @return the number of ledger transactions posted
     */
    int chargeAll(Instant now) {
        int posted = 0;
        for (UUID id : repository.unsettled()) {
            try {
                Integer n = transactions.execute(status -> charge(id, now));
                posted += n == null ? 0 : n;
            } catch (RuntimeException e) {
                log.warn("charging feature session {} failed; the next run retries: {}", id, e.toString());
            }
        }
        return posted;
    }

    private int charge(UUID id, Instant now) {
        FeatureSessionRepository.Row r = repository.lock(id).orElse(null);
        if (r == null) {
            return 0;
        }
        Instant idleEnd = r.lastUsedAt().plus(TargetingRates.IDLE_CLOSE);
        boolean ended = r.closedAt() != null || !now.isBefore(idleEnd);
        long used = r.minutesUsed();
        long due = ended ? used : Math.min(used, Math.max(0, Duration.between(r.startedAt(), now).toMinutes()));
        int posted = 0;
        boolean exhausted = false;
        if (due > r.minutesCharged()) {
            BigDecimal balance = ledger.account(r.userId(), AccountPurpose.CUSTOMER_CREDITS).balance();
            BigDecimal chargedCost = TargetingRates.cost(r.ratePerHour(), r.minutesCharged());
            long upTo = due;
            if (TargetingRates.cost(r.ratePerHour(), upTo).subtract(chargedCost).compareTo(balance) > 0) {
                exhausted = true;
                BigDecimal perMinute = r.ratePerHour().divide(BigDecimal.valueOf(60), 12, RoundingMode.HALF_UP);
                upTo = Math.min(due - 1, r.minutesCharged()
                        + balance.divide(perMinute, 0, RoundingMode.FLOOR).longValue());
                while (upTo > r.minutesCharged()
                        && TargetingRates.cost(r.ratePerHour(), upTo).subtract(chargedCost).compareTo(balance) > 0) {
                    upTo--;
                }
            }
            if (upTo > r.minutesCharged()) {
                BigDecimal amount = TargetingRates.cost(r.ratePerHour(), upTo).subtract(chargedCost);
                ledger.post(NewTransaction.of(TransactionKind.PREMIUM_TARGETING,
                                "feature-session:" + r.id() + ":" + r.minutesCharged(),
                                "Time-based " + r.feature() + " targeting, minutes " + (r.minutesCharged() + 1) + "-" + upTo,
                                new Posting(ledger.account(r.userId(), AccountPurpose.CUSTOMER_CREDITS).id(), amount.negate()),
                                new Posting(ledger.platformAccount(AccountPurpose.PREMIUM_TARGETING_REVENUE).id(), amount))
                        .withMetadata(Map.of("featureSessionId", r.id().toString(), "feature", r.feature(),
                                "ratePerHour", r.ratePerHour().toPlainString(),
                                "minutes", Long.toString(upTo - r.minutesCharged()))));
                repository.charged(r.id(), upTo, r.chargedUsd().add(amount));
                posted = 1;
            }
        }
        if (exhausted) {
            repository.close(r.id(), now, "credits_exhausted", true);
        } else if (ended) {
            repository.close(r.id(), idleEnd, "idle", true);
        }
        return posted;
    }

    /** The caller's balance, open sessions and what they lasts (docs/billing.md#credits-api). */
    CreditBalance overview(UUID userId) {
        BigDecimal balance = balance(userId);
        List<FeatureSession> open = repository.open(userId).map(r -> List.of(r.view())).orElse(List.of());
        BigDecimal uncharged = repository.open(userId).map(FeatureSessions::owed).orElse(BigDecimal.ZERO);
        BigDecimal available = balance.subtract(uncharged).max(BigDecimal.ZERO);
        Map<String, BigDecimal> hours = new LinkedHashMap<>();
        for (TargetingOption option : SHOWN) {
            hours.put(name(option), available.divide(TargetingRates.perHour(option), 2, RoundingMode.FLOOR));
        }
        return new CreditBalance(balance, open, uncharged, hours);
    }

    /** The account's sessions, newest first. */
    List<FeatureSession> sessions(UUID userId, int limit) {
        return repository.byUser(userId, limit).stream().map(FeatureSessionRepository.Row::view).toList();
    }

    private static String name(TargetingOption option) {
        return option.name().toLowerCase(Locale.ROOT);
    }
}
