package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code cashout-payouts} (every minute by default): hands approved cash-outs to their provider
 * (approved → processing), then for each automatic provider sends the due processing cash-outs that
 * have no provider reference yet and polls those that have one. A provider that is down, times out
 * or answers 5xx leaves the cash-out processing with its credits reserved and retries it after an
 * exponential backoff ({@code iploop.cashouts.retry-base}, doubling, capped). The same payout is
 * never paid twice: every attempt carries the same idempotency key, which PayPal refuses to pay
 * again. After {@code iploop.cashouts.unknown-after-attempts} such failures, or when the provider
 * loses a payout it had accepted, the outcome is unknown: the cash-out moves to
 * {@code payout_unknown} with its credits still reserved, for an admin to resolve
 * (docs/earn-fraud.md); the job never touches it again. Each cash-out is its own transaction, so one failure never holds up the others. Runs under
 * the job lock; thread-safe.
 */
@Component
class CashoutPayoutsJob implements ScheduledJob {

    private static final Logger log = LoggerFactory.getLogger(CashoutPayoutsJob.class);
    private static final int BATCH = 200;

    private final CashoutRepository repository;
    private final CashoutWorkflow workflow;
    private final PayoutProviders providers;
    private final DefaultCashoutsService service;
    private final CashoutsSettings settings;
    private final Clock clock;

    CashoutPayoutsJob(CashoutRepository repository, CashoutWorkflow workflow, PayoutProviders providers,
            DefaultCashoutsService service, CashoutsSettings settings, Clock clock) {
        this.repository = repository;
        this.workflow = workflow;
        this.providers = providers;
        this.service = service;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "cashout-payouts";
    }

    @Override
    public String cron() {
        return settings.payoutsCron();
    }

    @Override
    public String run() {
        int started = 0;
        int completed = 0;
        int failed = 0;
        int retried = 0;
        int waiting = 0;
        int unknown = 0;
        for (UUID id : repository.approvedIds(BATCH)) {
            try {
                var row = repository.find(id, null).orElseThrow();
                workflow.startProcessing(id, providers.forMethod(row.view().method()).name());
                started++;
            } catch (CashoutsException e) {
                log.debug("cash-out {} moved on meanwhile: {}", id, e.getMessage());
            }
        }
        for (String name : providers.automaticNames()) {
            PayoutProvider provider = providers.byName(name).orElseThrow();
            for (UUID id : repository.dueIds(name, clock.instant(), BATCH)) {
                CashoutRepository.Row row = repository.find(id, null).orElseThrow();
                try {
                    PayoutProvider.Outcome outcome = row.providerReference() == null
                            ? provider.send(payout(row))
                            : provider.poll(row.providerReference());
                    switch (outcome.state()) {
                        case SUCCEEDED -> {
                            workflow.complete(null, id, java.util.Objects.requireNonNullElse(outcome.transactionId(),
                                    String.valueOf(outcome.reference())), provider.name());
                            completed++;
                        }
                        case FAILED -> {
                            workflow.fail(id, java.util.Objects.requireNonNullElse(outcome.detail(), "refused"));
                            failed++;
                        }
                        case UNKNOWN -> {
                            workflow.payoutUnknown(id, java.util.Objects.requireNonNullElse(outcome.detail(), "unknown"));
                            unknown++;
                        }
                        case PENDING -> {
                            String ref = outcome.reference() != null ? outcome.reference() : row.providerReference();
                            if (ref != null) {
                                workflow.accepted(id, ref, settings.pollInterval());
                            }
                            waiting++;
                        }
                    }
                } catch (PayoutProvider.ProviderUnavailableException e) {
                    String error = e.getMessage() == null ? "provider unavailable" : e.getMessage();
                    if (row.view().payoutAttempts() + 1 >= settings.unknownAfterAttempts()) {
                        log.warn("cash-out {}: {} still failing after {} attempts, outcome unknown: {}", id, name,
                                row.view().payoutAttempts() + 1, error);
                        workflow.payoutUnknown(id, error);
                        unknown++;
                    } else {
                        log.warn("cash-out {}: {} unavailable, retrying later: {}", id, name, error);
                        workflow.retryLater(id, error);
                        retried++;
                    }
                } catch (CashoutsException e) {
                    log.debug("cash-out {} moved on meanwhile: {}", id, e.getMessage());
                }
            }
        }
        return "started " + started + ", completed " + completed + ", failed " + failed + ", retrying " + retried
                + ", waiting " + waiting + ", outcome unknown " + unknown;
    }

    private PayoutProvider.Payout payout(CashoutRepository.Row row) {
        var c = row.view();
        return new PayoutProvider.Payout(c.id(), CashoutWorkflow.key(c, "payout"), c.method(), c.netAmountUsd(),
                c.currency(), service.decrypt(c.userId(), row.detailsEncrypted()));
    }
}
