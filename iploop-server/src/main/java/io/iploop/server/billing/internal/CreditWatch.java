package io.iploop.server.billing.internal;

import io.iploop.gateway.spi.PlanHelp;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.OffSessionPayments;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.notifications.NotificationsService;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Low-balance alerts and auto top-up of the prepaid credits (docs/billing.md#low-balance-alerts,
 * #auto-top-up), from the {@code billing-credit-watch} job: per account with settings, one
 * transaction under its settings row lock. Each fires once per crossing (its armed flag is
 * cleared when it fires and set again when the balance is back at or above the threshold); an
 * auto top-up creates the invoice through {@link BillingService#requestTopUp} (the same path as a
 * customer's request), hands it to {@link OffSessionPayments}, and e-mails the payment
 * instructions when nothing was charged; at most {@code maxPerMonth} per calendar month (UTC),
 * counted in {@code billing_auto_top_ups}. Notifications and e-mails are written in that
 * transaction (the mail outbox). Thread-safe.
 */
@Component
class CreditWatch {

    private static final Logger log = LoggerFactory.getLogger(CreditWatch.class);

    private final JdbcClient jdbc;
    private final CreditSettingsRepository settings;
    private final TransactionTemplate transactions;
    private final LedgerService ledger;
    private final BillingService billing;
    private final OffSessionPayments offSession;
    private final NotificationsService notifications;
    private final MailService mail;
    private final AccountsService accounts;
    private final ProfileService profiles;
    private final Clock clock;

    CreditWatch(JdbcClient jdbc, CreditSettingsRepository settings, TransactionTemplate transactions, LedgerService ledger, BillingService billing,
            OffSessionPayments offSession, NotificationsService notifications, MailService mail,
            AccountsService accounts, ProfileService profiles, Clock clock) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.transactions = transactions;
        this.ledger = ledger;
        this.billing = billing;
        this.offSession = offSession;
        this.notifications = notifications;
        this.mail = mail;
        this.accounts = accounts;
        this.profiles = profiles;
        this.clock = clock;
    }

    /**
     * Evaluates every account with an alert or auto top-up.
     *
     * @return the number of alerts sent plus top-ups created
     */
    int evaluate() {
        List<UUID> users = jdbc.sql("""
                        SELECT user_id FROM billing_credit_settings
                        WHERE low_balance_usd IS NOT NULL OR auto_enabled ORDER BY user_id""")
                .query(UUID.class).list();
        int fired = 0;
        for (UUID userId : users) {
            try {
                Integer n = transactions.execute(status -> evaluate(userId));
                fired += n == null ? 0 : n;
            } catch (RuntimeException e) {
                log.warn("credit alerts / auto top-up of {} failed; the next run retries: {}", userId, e.toString());
            }
        }
        return fired;
    }

    private int evaluate(UUID userId) {
        CreditSettingsRepository.Row r = settings.find(userId, true).orElse(null);
        if (r == null) {
            return 0;
        }
        BigDecimal balance = ledger.findAccount(userId, AccountPurpose.CUSTOMER_CREDITS).map(LedgerAccount::balance)
                .orElse(BigDecimal.ZERO);
        int fired = 0;
        BigDecimal low = r.lowBalanceUsd();
        if (low != null) {
            boolean under = balance.compareTo(low) < 0;
            if (under && r.lowArmed()) {
                lowBalance(userId, balance, low);
                fired++;
            }
            if (under == r.lowArmed()) {
                jdbc.sql("UPDATE billing_credit_settings SET low_balance_armed = :a WHERE user_id = :u")
                        .param("a", !under).param("u", userId).update();
            }
        }
        BigDecimal threshold = r.autoThresholdUsd();
        String packageId = r.autoPackageId();
        if (r.autoEnabled() && threshold != null && packageId != null) {
            boolean under = balance.compareTo(threshold) < 0;
            if (under && r.autoArmed() && topUp(userId, packageId, r.autoMaxPerMonth(), balance, threshold)) {
                fired++;
            }
            if (under == r.autoArmed()) {
                jdbc.sql("UPDATE billing_credit_settings SET auto_armed = :a WHERE user_id = :u")
                        .param("a", !under).param("u", userId).update();
            }
        }
        return fired;
    }

    private void lowBalance(UUID userId, BigDecimal balance, BigDecimal threshold) {
        String title = "Your prepaid credits are under USD " + usd(threshold);
        String body = "Your balance is USD " + usd(balance) + ". Time-based targeting and pay-as-you-go traffic stop"
                + " when it runs out (the proxy answers 402). Buy credits: " + PlanHelp.PATH;
        notify(userId, "low_credit_balance", title, body);
    }

    /** Creates the auto top-up's invoice unless the month's cap is reached; true when created. */
    private boolean topUp(UUID userId, String packageId, int maxPerMonth, BigDecimal balance, BigDecimal threshold) {
        LocalDate month = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
        long thisMonth = jdbc.sql("SELECT count(*) FROM billing_auto_top_ups WHERE user_id = :u AND month = :m")
                .param("u", userId).param("m", Date.valueOf(month)).query(Long.class).single();
        if (thisMonth >= maxPerMonth) {
            log.info("auto top-up of {} skipped: {} of {} this month", userId, thisMonth, maxPerMonth);
            return false;
        }
        Invoice invoice = billing.requestTopUp(userId, packageId);
        jdbc.sql("INSERT INTO billing_auto_top_ups (invoice_id, user_id, month) VALUES (:i, :u, :m)")
                .param("i", invoice.id()).param("u", userId).param("m", Date.valueOf(month)).update();
        boolean charged = offSession.chargeOffSession(invoice);
        String title = "Auto top-up: invoice " + invoice.number();
        String body = "Your prepaid credits (USD " + usd(balance) + ") fell under USD " + usd(threshold)
                + ", so invoice " + invoice.number() + " for " + packageId + " (USD "
                + BigDecimal.valueOf(invoice.totalCents(), 2).toPlainString() + ") was created. ";
        if (charged) {
            body += "It is being charged to your card.";
        } else {
            PaymentInstructions p = billing.paymentInstructions();
            body += "Please transfer the amount to " + p.accountHolder() + ", IBAN " + p.iban() + ", BIC " + p.bic()
                    + ", reference " + invoice.number() + ".";
        }
        notify(userId, "auto_top_up", title, body + " Invoices: " + PlanHelp.PATH);
        return true;
    }

    /** An in-dashboard notification, and an e-mail while the "low balance" preference is on. */
    private void notify(UUID userId, String kind, String title, String body) {
        notifications.notify(userId, kind, title, body, PlanHelp.PATH);
        Optional<Account> account = accounts.find(userId);
        if (account.isPresent() && profiles.notificationPreferences(userId).lowBalance()) {
            mail.enqueue(new OutgoingMail(account.get().email(), "IPLoop: " + title,
                    body + "\n\nYou get this e-mail because low-balance e-mails are on; change them on the settings page."));
        }
    }

    private static String usd(BigDecimal v) {
        return v.setScale(2, RoundingMode.DOWN).toPlainString();
    }
}
