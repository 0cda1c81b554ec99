package io.iploop.server.billing.internal;

import io.iploop.gateway.spi.PlanHelp;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.OffSessionPayments;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.notifications.NotificationsService;
import java.math.BigDecimal;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Primary;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Auto top-up paid by card (docs/billing.md#auto-top-up, #stripe): the invoice is charged to the
 * customer's saved card with a Stripe PaymentIntent confirmed off-session. Replaces the manual
 * provider only while Stripe is configured. An account that never paid by card (no Stripe customer)
 * is left to the manual path. The charge is made after the invoice's transaction commits, so Stripe
 * is never called with a database transaction open and the invoice it names exists; when it fails
 * the invoice stays open and the customer gets the bank transfer details as from the manual
 * provider. Thread-safe.
 */
@Component
@Primary
@Conditional(StripeOffSessionPayments.StripeConfigured.class)
class StripeOffSessionPayments implements OffSessionPayments {

    private static final Logger log = LoggerFactory.getLogger(StripeOffSessionPayments.class);

    private final StripeBilling stripe;
    private final DefaultBillingService billing;
    private final NotificationsService notifications;
    private final MailService mail;
    private final AccountsService accounts;
    private final ProfileService profiles;
    private final TransactionTemplate tx;
    private final StripePaymentFailures failures;

    StripeOffSessionPayments(StripeBilling stripe, DefaultBillingService billing, NotificationsService notifications,
            MailService mail, AccountsService accounts, ProfileService profiles, TransactionTemplate tx,
            StripePaymentFailures failures) {
        this.failures = failures;
        this.stripe = stripe;
        this.billing = billing;
        this.notifications = notifications;
        this.mail = mail;
        this.accounts = accounts;
        this.profiles = profiles;
        // Its own transaction: the failure notice is written from afterCommit, where joining the
        // finished transaction would write nothing.
        this.tx = new TransactionTemplate(java.util.Objects.requireNonNull(tx.getTransactionManager()));
        this.tx.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public boolean chargeOffSession(Invoice invoice) {
        Optional<String> customer = stripe.knownCustomer(invoice.userId());
        if (customer.isEmpty()) {
            return false;
        }
        Runnable charge = () -> charge(invoice, customer.get());
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    charge.run();
                }
            });
        } else {
            charge.run();
        }
        return true;
    }

    private void charge(Invoice invoice, String customer) {
        try {
            @Nullable String failure = stripe.chargeOffSession(invoice, customer);
            if (failure != null) {
                tx.executeWithoutResult(s -> failed(invoice, failure));
            }
        } catch (RuntimeException e) {
            // After the commit nothing can be undone: the invoice stays open for the customer to pay.
            log.error("off-session charge of invoice {} failed: {}", invoice.number(), e.toString());
        }
    }

    /** The invoice stays open: the customer is told why and how to transfer, as the manual provider does. */
    private void failed(Invoice invoice, String why) {
        // The payment_intent.payment_failed of this decline then tells the customer nothing more.
        failures.noteSynchronousFailure(invoice.id(), why);
        PaymentInstructions p = billing.paymentInstructions();
        String title = "Auto top-up: card payment of invoice " + invoice.number() + " failed";
        String body = "Invoice " + invoice.number() + " (USD " + BigDecimal.valueOf(invoice.totalCents(), 2).toPlainString()
                + ") could not be charged to your card: " + why + ". Please transfer the amount to "
                + p.accountHolder() + ", IBAN " + p.iban() + ", BIC " + p.bic() + ", reference " + invoice.number()
                + ", or update your card in the customer portal. Invoices: " + PlanHelp.PATH;
        notifications.notify(invoice.userId(), "auto_top_up", title, body, PlanHelp.PATH);
        Optional<Account> account = accounts.find(invoice.userId());
        if (account.isPresent() && profiles.notificationPreferences(invoice.userId()).lowBalance()) {
            mail.enqueue(new OutgoingMail(account.get().email(), "IPLoop: " + title,
                    body + "\n\nYou get this e-mail because low-balance e-mails are on; change them on the settings page."));
        }
    }

    /** Stripe is on when both its secrets are set (as {@link StripeSettings#enabled()}). */
    static final class StripeConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            var env = context.getEnvironment();
            return !env.getProperty("iploop.billing.stripe.secret-key", "").isBlank()
                    && !env.getProperty("iploop.billing.stripe.webhook-secret", "").isBlank();
        }
    }
}
