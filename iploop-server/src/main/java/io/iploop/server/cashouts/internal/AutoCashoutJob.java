package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.jobs.ScheduledJob;
import io.iploop.server.ledger.LedgerException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code auto-cashout} (daily, 06:00 UTC by default; checked daily,
 * docs/product/cashouts.md#auto-cash-out): for every user with auto-cash-out enabled whose available earnings reach the
 * threshold, requests a cash-out of all of them to the saved, verified method. Idempotent per user
 * and UTC day, so a second run the same day (an admin's "run now") creates nothing. Each user is
 * its own transaction. Runs under the job lock; thread-safe.
 */
@Component
class AutoCashoutJob implements ScheduledJob {

    private static final Logger log = LoggerFactory.getLogger(AutoCashoutJob.class);

    private final PaymentMethodRepository paymentMethods;
    private final DefaultCashoutsService service;
    private final CashoutsSettings settings;
    private final Clock clock;

    AutoCashoutJob(PaymentMethodRepository paymentMethods, DefaultCashoutsService service, CashoutsSettings settings,
            Clock clock) {
        this.paymentMethods = paymentMethods;
        this.service = service;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "auto-cashout";
    }

    @Override
    public String cron() {
        return settings.autoCashoutCron();
    }

    @Override
    public String run() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        int checked = 0;
        int created = 0;
        for (PaymentMethodRepository.AutoRow auto : paymentMethods.enabledAutoCashouts()) {
            checked++;
            try {
                if (service.autoCashout(auto, today) != null) {
                    created++;
                }
            } catch (CashoutsException | LedgerException e) {
                // e.g. the balance was reserved by a manual cash-out meanwhile; tomorrow's run tries again
                log.info("auto-cash-out for user {} skipped: {}", auto.userId(), e.getMessage());
            }
        }
        return "checked " + checked + " users, created " + created + " cash-outs for " + today;
    }
}
