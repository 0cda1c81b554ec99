package io.iploop.server.billing.internal;

import io.iploop.server.jobs.ScheduledJob;
import org.springframework.stereotype.Component;

/**
 * {@code billing-vies-recheck}, every 15 minutes (docs/billing.md#vies): checks again the VAT ids
 * VIES did not answer for (and those saved before VIES checks existed), 50 per run. Idempotent.
 * Thread-safe.
 */
@Component
class VatIdRecheckJob implements ScheduledJob {

    private final VatIdVerification verification;

    VatIdRecheckJob(VatIdVerification verification) {
        this.verification = verification;
    }

    @Override
    public String name() {
        return "billing-vies-recheck";
    }

    @Override
    public String cron() {
        return "15 */15 * * * *";
    }

    @Override
    public String run() {
        return verification.recheck(50) + " VAT ids settled by VIES";
    }
}
