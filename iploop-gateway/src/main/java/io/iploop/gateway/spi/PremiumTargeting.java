package io.iploop.gateway.spi;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Time-based premium targeting (docs/billing.md#time-based-targeting): targeting beyond an
 * account's plan, paid per minute from its prepaid credits. The gateway asks {@link #credit} with
 * every limits refresh (default every 2 s per active account) and reports what was used with
 * {@link #used} from the same refresh, so there is never a store call per request. Both are called
 * from a blocking executor, never an event loop; implementations may block and must be
 * thread-safe.
 */
public interface PremiumTargeting {

    /** No credits anywhere: targeting beyond the plan is refused (403), nothing is reported. */
    PremiumTargeting NONE = new PremiumTargeting() {
        @Override
        public PremiumCredit credit(UUID userId) {
            return PremiumCredit.NONE;
        }

        @Override
        public void used(UUID userId, Set<TargetingOption> options, Instant lastUsed) {}
    };

    /**
     * What the account's credits pay for now.
     *
     * @throws Exception if the store is unavailable; the gateway keeps the last known answer
     */
    PremiumCredit credit(UUID userId) throws Exception;

    /**
     * The account carried traffic with targeting beyond its plan since the last report.
     *
     * @param options the options beyond the plan that were used (not empty)
     * @param lastUsed when the last such traffic was carried
     * @throws Exception if the store is unavailable; the gateway reports the use again with the next refresh
     */
    void used(UUID userId, Set<TargetingOption> options, Instant lastUsed) throws Exception;
}
