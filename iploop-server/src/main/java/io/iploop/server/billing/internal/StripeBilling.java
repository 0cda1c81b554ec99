package io.iploop.server.billing.internal;

import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.billing.internal.StripeRepository.StripeSubscriptionRow;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Stripe payment provider (docs/billing.md#stripe): Checkout sessions for packages (mode
 * {@code payment}) and plan subscriptions (mode {@code subscription}), the Customer Portal, and the
 * webhook that applies Stripe's events. Off unless {@link StripeSettings#enabled()}.
 *
 * <p>Every webhook event is verified with {@link Webhook#constructEvent} and stored by its id in the
 * transaction that applies it, so a replay or a concurrent duplicate applies nothing (the duplicate
 * waits on the id's primary key until the first transaction ends). Events of one subscription queue
 * on its row lock; its state fields only move forward in event time (out-of-order deliveries). A
 * package's payment goes through {@link DefaultBillingService#settle}, the admin's mark-paid path,
 * keyed by the invoice, so the manual and Stripe paths can never both credit it; so does an
 * auto top-up's off-session PaymentIntent ({@link #chargeOffSession}, {@code payment_intent.succeeded}).
 * Refunds made in Stripe and disputes become credit notes keyed by Stripe's refund or dispute id;
 * payments that fail later go to {@link StripePaymentFailures}, dispute outcomes to {@link DisputeOutcomes}.
 * Stripe is called outside database transactions. Thread-safe.
 */
@Component
class StripeBilling {

    /** The provider name of invoices paid by card. */
    static final String PROVIDER = "stripe";

    private static final Logger log = LoggerFactory.getLogger(StripeBilling.class);
    /** How long before the local period end a paid Stripe period may renew it early. */
    private static final Duration RENEWAL_SLACK = Duration.ofDays(1);
    /** Stripe subscription statuses after which the plan is suspended. */
    static final Set<String> ENDED = Set.of("unpaid", "canceled", "incomplete_expired");

    private final StripeSettings settings;
    private final @Nullable StripeClient client;
    private final DefaultBillingService billing;
    private final InvoiceRepository invoices;
    private final CreditNoteRepository creditNotes;
    private final StripeRepository repository;
    private final PlansService plans;
    private final AccountsService accounts;
    private final LedgerService ledger;
    private final MailService mail;
    private final NotificationsService notifications;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Clock clock;
    private final String publicUrl;
    private final StripePaymentFailures failures;
    private final DisputeOutcomes disputes;

    StripeBilling(StripeSettings settings, DefaultBillingService billing, InvoiceRepository invoices,
            CreditNoteRepository creditNotes,
            StripeRepository repository, PlansService plans, AccountsService accounts, LedgerService ledger,
            MailService mail, NotificationsService notifications, TransactionTemplate tx, JsonMapper json, Clock clock,
            @Value("${iploop.accounts.public-url:http://127.0.0.1:8080}") String publicUrl,
            StripePaymentFailures failures, DisputeOutcomes disputes) {
        this.failures = failures;
        this.disputes = disputes;
        this.settings = settings;
        this.billing = billing;
        this.invoices = invoices;
        this.creditNotes = creditNotes;
        this.repository = repository;
        this.plans = plans;
        this.accounts = accounts;
        this.ledger = ledger;
        this.mail = mail;
        this.notifications = notifications;
        this.tx = tx;
        this.json = json;
        this.clock = clock;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        // A client of its own (never the library's global statics), pointed at a stand-in in tests.
        this.client = settings.enabled() ? clientOf(settings) : null;
    }

    private static StripeClient clientOf(StripeSettings settings) {
        StripeClient.StripeClientBuilder builder = StripeClient.builder().setApiKey(settings.secretKey())
                .setMaxNetworkRetries(2).setConnectTimeout(10_000).setReadTimeout(30_000);
        if (!settings.apiBase().isBlank()) {
            builder.setApiBase(settings.apiBase());
        }
        return builder.build();
    }

    /** Whether card payments are configured. */
    boolean enabled() {
        return client != null;
    }

    /** The Stripe client for the other Stripe classes of this package. @throws BillingException {@code STRIPE_NOT_CONFIGURED} */
    StripeClient stripeClient() {
        return client();
    }

    /** The Stripe client. @throws BillingException {@code STRIPE_NOT_CONFIGURED} while Stripe is off */
    StripeClient client() {
        if (client == null) {
            throw new BillingException(Reason.STRIPE_NOT_CONFIGURED,
                    "card payments are not configured on this installation; pay by bank transfer", null);
        }
        return client;
    }

    // --- Customer requests.

    /**
     * Creates an open invoice (provider {@code stripe}) for the package and a Checkout session that
     * pays it; the invoice is paid when Stripe reports the session completed.
     *
     * @return the Checkout page to send the customer to
     */
    String checkout(UUID userId, String packageId) {
        StripeClient stripe = client();
        Invoice invoice = billing.createInvoice(userId, packageId, PROVIDER);
        String customer = customer(userId);
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.PAYMENT)
                .setCustomer(customer)
                .setClientReferenceId(invoice.id().toString())
                .putMetadata("invoiceId", invoice.id().toString())
                .putMetadata("userId", userId.toString())
                .setSuccessUrl(publicUrl + "/billing?paid=" + invoice.number())
                .setCancelUrl(publicUrl + "/billing")
                // Saves the card on the customer for auto top-up's off-session charges (docs/billing.md#stripe).
                .setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
                        .setSetupFutureUsage(SessionCreateParams.PaymentIntentData.SetupFutureUsage.OFF_SESSION).build())
                .addLineItem(SessionCreateParams.LineItem.builder().setQuantity(1L)
                        .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                                .setCurrency(invoice.currency().toLowerCase(java.util.Locale.ROOT))
                                .setUnitAmount(invoice.totalCents())
                                .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                        .setName(invoice.lines().getFirst().description()).build())
                                .build())
                        .build())
                .build();
        return url(() -> stripe.v1().checkout().sessions().create(params,
                RequestOptions.builder().setIdempotencyKey("checkout:" + invoice.id()).build()).getUrl());
    }

    /**
     * A Checkout session for a subscription of {@code planId}, billed every {@code interval}.
     *
     * @throws BillingException {@code VALIDATION} naming {@code interval} or {@code planId} (no Stripe
     *     price for it); {@code SUBSCRIPTION_EXISTS} while a Stripe subscription is not ended
     */
    String subscriptionCheckout(UUID userId, String planId, String interval) {
        StripeClient stripe = client();
        String every = interval == null || interval.isBlank() ? "month" : interval.strip();
        if (!every.equals("month") && !every.equals("year")) {
            throw new BillingException(Reason.VALIDATION, "interval: '" + abbreviate(every)
                    + "' (expected: month or year)", "interval");
        }
        String plan = planId == null ? "" : planId.strip();
        if (plans.catalogue().stream().noneMatch(p -> p.id().equals(plan))) {
            throw new BillingException(Reason.VALIDATION, "planId: " + (plan.isEmpty() ? "missing"
                    : "unknown plan '" + abbreviate(plan) + "'"), "planId");
        }
        String price = settings.price(plan, every).orElseThrow(() -> new BillingException(Reason.VALIDATION,
                "planId: plan '" + plan + "' cannot be subscribed by card every " + every
                        + " (no Stripe price configured)", "planId"));
        Optional<StripeSubscriptionRow> existing = tx.execute(s -> repository.latestSubscription(userId));
        if (existing != null && existing.isPresent() && !ENDED.contains(existing.get().status())) {
            throw new BillingException(Reason.SUBSCRIPTION_EXISTS, "the account has a card subscription ("
                    + existing.get().status() + "); change or cancel it in the customer portal", null);
        }
        String customer = customer(userId);
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .setCustomer(customer)
                .setClientReferenceId(userId.toString())
                .putMetadata("userId", userId.toString())
                .putMetadata("planId", plan)
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                        .putMetadata("userId", userId.toString()).putMetadata("planId", plan).build())
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
                .setSuccessUrl(publicUrl + "/billing?subscribed=" + plan)
                .setCancelUrl(publicUrl + "/billing")
                .build();
        return url(() -> stripe.v1().checkout().sessions().create(params).getUrl());
    }

    /** A Customer Portal session (cards, invoices, cancellation). @throws BillingException {@code NO_STRIPE_CUSTOMER} */
    String portal(UUID userId) {
        StripeClient stripe = client();
        String customer = tx.execute(s -> repository.customer(userId).orElse(null));
        if (customer == null) {
            throw new BillingException(Reason.NO_STRIPE_CUSTOMER, "the account has never paid by card", null);
        }
        var params = com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(customer)
                .setReturnUrl(publicUrl + "/billing").build();
        return url(() -> stripe.v1().billingPortal().sessions().create(params).getUrl());
    }

    /** The account's newest Stripe subscription, if it ever had one. */
    Optional<StripeSubscriptionRow> subscription(UUID userId) {
        Optional<StripeSubscriptionRow> row = tx.execute(s -> repository.latestSubscription(userId));
        return row == null ? Optional.empty() : row;
    }

    /** The account's Stripe customer, created on first use (Stripe's idempotency key makes a retry return the same). */
    String customer(UUID userId) {
        String known = tx.execute(s -> repository.customer(userId).orElse(null));
        if (known != null) {
            return known;
        }
        Account account = accounts.find(userId)
                .orElseThrow(() -> new BillingException(Reason.VALIDATION, "no such user", "userId"));
        CustomerCreateParams params = CustomerCreateParams.builder().setEmail(account.email())
                .setName((account.firstName() + " " + account.lastName()).strip())
                .putMetadata("userId", userId.toString()).build();
        String created = url(() -> client().v1().customers().create(params,
                RequestOptions.builder().setIdempotencyKey("customer:" + userId).build()).getId());
        return tx.execute(s -> repository.saveCustomer(userId, created));
    }

    private interface StripeCall {
        String call() throws StripeException;
    }

    private static String url(StripeCall call) {
        try {
            return call.call();
        } catch (StripeException e) {
            log.warn("Stripe refused a request: {} (request id {})", e.getMessage(), e.getRequestId());
            throw new BillingException(Reason.PROVIDER_UNAVAILABLE,
                    "the card payment provider did not answer as expected; try again in a moment", null);
        }
    }

    // --- Off-session charges (auto top-up).

    /** The account's Stripe customer if it ever paid by card; joins the caller's transaction. */
    Optional<String> knownCustomer(UUID userId) {
        return client == null ? Optional.empty() : repository.customer(userId);
    }

    /**
     * Charges {@code invoice} to the customer's default card (else its first saved card) with a
     * PaymentIntent confirmed off-session; call outside a database transaction. A {@code succeeded}
     * answer pays the invoice at once through {@link DefaultBillingService#settle} (the webhook's
     * {@code payment_intent.succeeded} then finds it paid); {@code processing} waits for the webhook.
     *
     * @return null when the charge succeeded or is processing, else why it failed (for the customer)
     */
    @Nullable String chargeOffSession(Invoice invoice, String customer) {
        StripeClient stripe = client();
        try {
            com.stripe.model.Customer c = stripe.v1().customers().retrieve(customer);
            String method = c.getInvoiceSettings() == null ? null : c.getInvoiceSettings().getDefaultPaymentMethod();
            if (method == null) {
                var cards = stripe.v1().customers().paymentMethods().list(customer,
                        com.stripe.param.CustomerPaymentMethodListParams.builder().setLimit(1L).build()).getData();
                method = cards == null || cards.isEmpty() ? null : cards.getFirst().getId();
            }
            if (method == null) {
                return "no card is saved on your account";
            }
            var params = com.stripe.param.PaymentIntentCreateParams.builder()
                    .setAmount(invoice.totalCents())
                    .setCurrency(invoice.currency().toLowerCase(java.util.Locale.ROOT))
                    .setCustomer(customer).setPaymentMethod(method).setConfirm(true).setOffSession(true)
                    .putMetadata("invoiceId", invoice.id().toString())
                    .putMetadata("userId", invoice.userId().toString())
                    .setDescription("IPLoop invoice " + invoice.number() + " (auto top-up)").build();
            // Keyed by the invoice: a retried request can never charge it twice.
            com.stripe.model.PaymentIntent intent = stripe.v1().paymentIntents().create(params,
                    RequestOptions.builder().setIdempotencyKey("offsession:" + invoice.id()).build());
            String status = String.valueOf(intent.getStatus());
            log.info("off-session charge of invoice {}: payment intent {} {}", invoice.number(), intent.getId(), status);
            if ("succeeded".equals(status)) {
                // A transaction of its own: this runs after the invoice's commit (afterCommit), where
                // joining the finished transaction would write nothing.
                TransactionTemplate own = new TransactionTemplate(java.util.Objects.requireNonNull(tx.getTransactionManager()));
                own.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
                own.executeWithoutResult(s -> billing.settle(invoice.userId(), invoice.id(), "stripe " + intent.getId(),
                        Map.of("stripePaymentIntent", intent.getId())));
                return null;
            }
            return "processing".equals(status) ? null : "the card needs you to confirm the payment (" + status + ")";
        } catch (com.stripe.exception.CardException e) {
            log.info("off-session charge of invoice {} declined: {} ({})", invoice.number(), e.getCode(),
                    e.getDeclineCode());
            return "the card was declined (" + (e.getDeclineCode() != null ? e.getDeclineCode() : e.getCode()) + ")";
        } catch (StripeException e) {
            log.warn("off-session charge of invoice {} failed: {} (request id {})", invoice.number(), e.getMessage(),
                    e.getRequestId());
            return "the card payment provider did not answer as expected";
        }
    }

    // --- Webhook.

    /**
     * Verifies and applies one webhook delivery, exactly once per event id.
     *
     * @return what was done, e.g. {@code invoice_paid}, {@code duplicate} or {@code ignored}
     * @throws BillingException {@code INVALID_SIGNATURE} when the signature does not verify (nothing stored)
     */
    String receive(String payload, @Nullable String signature) {
        if (!settings.enabled()) {
            throw new BillingException(Reason.STRIPE_NOT_CONFIGURED, "Stripe is not configured", null);
        }
        Event event;
        try {
            event = Webhook.constructEvent(payload, signature == null ? "" : signature, settings.webhookSecret(),
                    settings.toleranceSeconds());
        } catch (SignatureVerificationException | RuntimeException e) {
            throw new BillingException(Reason.INVALID_SIGNATURE,
                    "Stripe-Signature: does not verify with the webhook secret (or is older than "
                            + settings.toleranceSeconds() + " s)", "Stripe-Signature");
        }
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (JacksonException e) {
            throw new BillingException(Reason.VALIDATION, "body: not a JSON event", "body");
        }
        String id = event.getId();
        String type = event.getType();
        Instant created = Instant.ofEpochSecond(event.getCreated() == null ? 0 : event.getCreated());
        JsonNode object = root.path("data").path("object");
        String outcome = tx.execute(s -> {
            if (!repository.insertEvent(id, type, created, payload)) {
                return "duplicate";
            }
            String result = apply(id, type, created, object);
            repository.eventOutcome(id, result);
            return result;
        });
        log.info("Stripe event {} ({}): {}", id, type, outcome);
        return outcome == null ? "ignored" : outcome;
    }

    private String apply(String eventId, String type, Instant created, JsonNode object) {
        return switch (type) {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" ->
                    checkoutCompleted(eventId, created, object);
            case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted" ->
                    subscriptionChanged(type, created, object);
            case "invoice.paid" -> invoicePaid(eventId, created, object);
            case "invoice.payment_failed" -> invoiceFailed(created, object);
            case "payment_intent.succeeded" -> paymentIntentSucceeded(eventId, object);
            case "charge.dispute.created", "charge.dispute.funds_withdrawn" -> disputed(object);
            case "charge.dispute.closed" -> disputeClosed(eventId, object);
            case "payment_intent.payment_failed" -> failures.intentFailed(eventId, object);
            case "checkout.session.async_payment_failed" -> failures.checkoutFailed(eventId, object);
            case "charge.refunded" -> chargeRefunded(object);
            case "refund.created" -> refunded(object, text(object, "payment_intent"));
            default -> "ignored";
        };
    }

    private String checkoutCompleted(String eventId, Instant created, JsonNode session) {
        if ("subscription".equals(text(session, "mode"))) {
            String subscriptionId = text(session, "subscription");
            UUID userId = uuid(text(session.path("metadata"), "userId"));
            String planId = text(session.path("metadata"), "planId");
            if (subscriptionId == null || userId == null || planId == null) {
                return "ignored: subscription session without subscription, userId or planId";
            }
            StripeSubscriptionRow row = row(subscriptionId, userId, planId, "active", created);
            link(row);
            return "subscription_checkout_completed";
        }
        if (!"paid".equals(text(session, "payment_status"))) {
            return "awaiting_payment"; // a delayed method: checkout.session.async_payment_succeeded follows
        }
        String ref = text(session.path("metadata"), "invoiceId");
        UUID invoiceId = uuid(ref != null ? ref : text(session, "client_reference_id"));
        Optional<Invoice> found = invoiceId == null ? Optional.empty() : invoices.find(invoiceId);
        if (found.isEmpty()) {
            log.warn("Stripe session {} names no invoice of ours ({})", text(session, "id"), invoiceId);
            return "ignored: unknown invoice";
        }
        Invoice invoice = found.get();
        long paid = session.path("amount_total").asLong(-1);
        if (paid != invoice.totalCents() || !invoice.currency().equalsIgnoreCase(text(session, "currency"))) {
            log.error("Stripe session {} paid {} {} for invoice {} of {} {}: not credited, check by hand",
                    text(session, "id"), paid, text(session, "currency"), invoice.number(), invoice.totalCents(),
                    invoice.currency());
            return "amount_mismatch";
        }
        if (invoice.status() == InvoiceStatus.PAID) {
            return "invoice_already_paid";
        }
        if (invoice.status() != InvoiceStatus.OPEN) {
            log.error("Stripe session {} paid invoice {}, which is {}: not credited, check by hand",
                    text(session, "id"), invoice.number(), invoice.status().value());
            return "ignored: invoice " + invoice.status().value();
        }
        String intent = text(session, "payment_intent");
        String reference = "stripe " + (intent != null ? intent : text(session, "id"));
        billing.settle(invoice.userId(), invoice.id(), reference,
                Map.of("stripeEvent", eventId, "stripeSession", String.valueOf(text(session, "id"))));
        return "invoice_paid";
    }

    /** An off-session charge (metadata {@code invoiceId}) succeeded: the invoice is paid, once. */
    private String paymentIntentSucceeded(String eventId, JsonNode intent) {
        UUID invoiceId = uuid(text(intent.path("metadata"), "invoiceId"));
        if (invoiceId == null) {
            return "ignored: payment intent without our invoiceId"; // Checkout's own: its session event pays
        }
        Optional<Invoice> found = invoices.find(invoiceId);
        if (found.isEmpty()) {
            return "ignored: unknown invoice";
        }
        Invoice invoice = found.get();
        long received = intent.path("amount_received").asLong(-1);
        if (received != invoice.totalCents() || !invoice.currency().equalsIgnoreCase(text(intent, "currency"))) {
            log.error("Stripe payment intent {} received {} {} for invoice {} of {} {}: not credited, check by hand",
                    text(intent, "id"), received, text(intent, "currency"), invoice.number(), invoice.totalCents(),
                    invoice.currency());
            return "amount_mismatch";
        }
        if (invoice.status() == InvoiceStatus.PAID) {
            return "invoice_already_paid";
        }
        if (invoice.status() != InvoiceStatus.OPEN) {
            log.error("Stripe payment intent {} succeeded for invoice {}, which is {}: not credited, check by hand",
                    text(intent, "id"), invoice.number(), invoice.status().value());
            return "ignored: invoice " + invoice.status().value();
        }
        billing.settle(invoice.userId(), invoice.id(), "stripe " + text(intent, "id"),
                Map.of("stripeEvent", eventId, "stripePaymentIntent", String.valueOf(text(intent, "id"))));
        return "invoice_paid";
    }

    /**
     * A dispute of a card payment: recorded as a chargeback keyed by the dispute id, so
     * {@code charge.dispute.created} and a later {@code funds_withdrawn} of one dispute record it once.
     */
    private String disputed(JsonNode dispute) {
        String id = text(dispute, "id");
        Invoice invoice = paidBy(text(dispute, "payment_intent"));
        if (id == null || invoice == null) {
            log.error("Stripe dispute {} names no card payment of ours: not recorded, check by hand", id);
            return "ignored: unknown payment";
        }
        invoices.lock(invoice.id()); // one dispute's events queue here (docs/billing.md#disputes)
        if (creditNotes.byKey("invoice:" + invoice.id() + ":chargeback:" + id).isPresent()) {
            return "chargeback_already_recorded"; // created, then funds_withdrawn: one dispute
        }
        if (disputes.won(id)) {
            return "ignored: dispute already won"; // a late or replayed created/funds_withdrawn
        }
        return recordDispute(id, dispute, invoices.find(invoice.id()).orElseThrow());
    }

    private String recordDispute(String id, JsonNode dispute, Invoice invoice) {
        long amount = Math.min(dispute.path("amount").asLong(0), invoice.totalCents() - invoice.refundedCents());
        return reversal(id, amount, () -> billing.recordChargeback(invoice.id(), amount,
                "Stripe dispute " + id + " (" + text(dispute, "reason") + ")", id), "chargeback_recorded");
    }

    /**
     * {@code charge.dispute.closed}: a won dispute gives back what its chargeback took, a lost one
     * changes nothing more ({@link DisputeOutcomes}).
     */
    private String disputeClosed(String eventId, JsonNode dispute) {
        String id = text(dispute, "id");
        Invoice paid = paidBy(text(dispute, "payment_intent"));
        if (id == null || paid == null) {
            log.error("Stripe dispute {} names no card payment of ours: not recorded, check by hand", id);
            return "ignored: unknown payment";
        }
        Invoice invoice = invoices.lock(paid.id()).orElseThrow();
        return disputes.closed(eventId, id, String.valueOf(text(dispute, "status")), invoice, () -> {
            if (creditNotes.byKey("invoice:" + invoice.id() + ":chargeback:" + id).isPresent()) {
                return "chargeback_already_recorded";
            }
            return recordDispute(id, dispute, invoice);
        });
    }

    /**
     * A charge refunded in the Stripe dashboard: every refund it lists (older API versions and
     * expanded charges) is recorded; newer ones do not list them, their {@code refund.created} does.
     */
    private String chargeRefunded(JsonNode charge) {
        JsonNode list = charge.path("refunds").path("data");
        if (!list.isArray() || list.isEmpty()) {
            return "ignored: no refunds listed (refund.created records them)";
        }
        StringBuilder outcome = new StringBuilder();
        for (JsonNode refund : list) {
            outcome.append(outcome.isEmpty() ? "" : ", ").append(refunded(refund, text(charge, "payment_intent")));
        }
        return outcome.toString();
    }

    /** One Stripe refund, recorded as a refund keyed by its id (so each is recorded once, by either event). */
    private String refunded(JsonNode refund, @Nullable String paymentIntent) {
        String id = text(refund, "id");
        String status = text(refund, "status");
        if ("failed".equals(status) || "canceled".equals(status)) {
            return "ignored: refund " + status;
        }
        Invoice invoice = paidBy(paymentIntent);
        if (id == null || invoice == null) {
            log.error("Stripe refund {} names no card payment of ours: not recorded, check by hand", id);
            return "ignored: unknown payment";
        }
        if (creditNotes.byKey("invoice:" + invoice.id() + ":refund:" + id).isPresent()) {
            return "refund_already_recorded"; // charge.refunded and refund.created of one refund
        }
        long amount = refund.path("amount").asLong(0);
        return reversal(id, amount, () -> billing.recordProviderRefund(invoice.id(), amount,
                "Refunded in Stripe (" + id + ")", id), "refund_recorded");
    }

    private @Nullable Invoice paidBy(@Nullable String paymentIntent) {
        return paymentIntent == null ? null : invoices.findByPaymentReference("stripe " + paymentIntent).orElse(null);
    }

    /**
     * Records a refund or chargeback in a savepoint: when the billing rules refuse it (more than what
     * is left, unspent credits spent, …) the event is still stored, with the refusal as its outcome,
     * for a person to check, instead of failing every redelivery.
     */
    private String reversal(String id, long amount, Runnable record, String done) {
        if (amount <= 0) {
            log.error("Stripe {} of {} cents: nothing left of its invoice to take back, check by hand", id, amount);
            return "ignored: nothing left to take back";
        }
        TransactionTemplate savepoint = new TransactionTemplate(java.util.Objects.requireNonNull(tx.getTransactionManager()));
        savepoint.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_NESTED);
        try {
            savepoint.executeWithoutResult(s -> record.run());
            return done;
        } catch (BillingException e) {
            log.error("Stripe {} of {} cents not recorded, check by hand: {}", id, amount, e.getMessage());
            return "not_recorded: " + e.reason().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private String subscriptionChanged(String type, Instant created, JsonNode sub) {
        String subscriptionId = text(sub, "id");
        UUID userId = uuid(text(sub.path("metadata"), "userId"));
        // The price says which plan is paid for (a change in the portal keeps the metadata); else the metadata.
        JsonNode price = sub.path("items").path("data").path(0).path("price");
        String pricePlan = settings.planOfPrice(price.isString() ? price.asString() : text(price, "id")).orElse(null);
        String planId = pricePlan != null ? pricePlan : planOf(sub.path("metadata"), price);
        if (subscriptionId == null || userId == null || planId == null) {
            return "ignored: subscription without our userId/planId metadata";
        }
        String status = type.endsWith(".deleted") ? "canceled" : String.valueOf(text(sub, "status"));
        StripeSubscriptionRow row = row(subscriptionId, userId, planId, status, created);
        if (created.isBefore(row.lastEventAt())) {
            return "stale"; // a newer event of this subscription was applied already
        }
        // Since API version 2025-03-31 the period sits on the subscription item; older ones had it on top.
        JsonNode item = sub.path("items").path("data").path(0);
        Instant start = epoch(item.has("current_period_start") ? item : sub, "current_period_start");
        Instant end = epoch(item.has("current_period_end") ? item : sub, "current_period_end");
        boolean cancel = sub.path("cancel_at_period_end").asBoolean(false);
        repository.updateState(subscriptionId, status, start, end, cancel, created);
        row = repository.lockSubscription(subscriptionId).orElseThrow();
        if (ENDED.contains(status)) {
            suspend(row, "subscription " + status);
            return "subscription_" + status;
        }
        if (!"active".equals(status) && !"trialing".equals(status) && !"past_due".equals(status)) {
            return "subscription_" + status; // incomplete: Checkout has not been paid yet
        }
        link(row);
        String changed = "";
        if (!row.planId().equals(planId)) {
            changed = planChanged(row, planId, start, end, created);
        }
        if (!row.suspended() && owns(row)) {
            Instant until = cancel ? row.periodEnd() : null;
            Subscription local = plans.current(row.userId()).orElseThrow();
            if (!java.util.Objects.equals(local.expiresAt(), until)) {
                plans.setExpiry(row.userId(), row.userId(), until); // cancel_at_period_end, or taken back
            }
        }
        return "subscription_" + status + (cancel ? "_cancel_at_period_end" : "") + changed;
    }

    /**
     * The subscription's price now pays for another plan (docs/billing.md#plan-changes): a downgrade
     * scheduled locally waits for the next paid period; anything else is an upgrade applied now, with
     * the GB prorated over Stripe's period at the event's time ({@link Proration}). Recorded on the
     * subscription's row in the same transaction, so a replayed or later event of the same change
     * applies nothing.
     */
    private String planChanged(StripeSubscriptionRow row, String planId, @Nullable Instant start, @Nullable Instant end,
            Instant at) {
        repository.updatePlan(row.subscriptionId(), planId);
        if (!owns(row)) {
            return "_plan_" + planId + "_not_ours";
        }
        Subscription local = plans.current(row.userId()).orElseThrow();
        if (planId.equals(local.pendingPlanId())) {
            return "_downgrade_to_" + planId + "_at_period_end";
        }
        if (planId.equals(local.planId())) {
            return "";
        }
        var from = plans.find(local.planId()).orElseThrow();
        var to = plans.find(planId).orElse(null);
        if (to == null) {
            log.error("Stripe subscription {} now pays for unknown plan {}: not applied", row.subscriptionId(), planId);
            return "_unknown_plan";
        }
        Instant periodStart = start != null ? start : local.periodStart();
        Instant periodEnd = end != null ? end : local.periodEnd();
        java.math.BigDecimal gb = periodEnd == null ? java.math.BigDecimal.ZERO
                : Proration.of(periodStart, periodEnd, at, 0, 0,
                        from.includedGb() == null ? java.math.BigDecimal.ZERO : from.includedGb(),
                        to.includedGb() == null ? java.math.BigDecimal.ZERO : to.includedGb()).gbDelta();
        plans.switchPlanNow(row.userId(), row.userId(), planId, gb);
        repository.recordPlanChange(row.userId(), local.id(), from.id(), planId, periodStart,
                periodEnd == null ? at : periodEnd, at, gb, row.subscriptionId());
        return "_upgraded_to_" + planId;
    }

    private String invoicePaid(String eventId, Instant created, JsonNode inv) {
        Sub sub = subscriptionOf(inv);
        if (sub == null) {
            return "ignored: not a subscription invoice";
        }
        StripeSubscriptionRow row = row(sub.id(), sub.userId(), sub.planId(), "active", created);
        boolean linkedNow = link(row);
        row = repository.lockSubscription(sub.id()).orElseThrow();
        JsonNode period = inv.path("lines").path("data").path(0).path("period");
        Instant start = epoch(period, "start");
        Instant end = epoch(period, "end");
        if (start != null && end != null) {
            repository.updatePeriod(sub.id(), start, end);
        }
        if (row.suspended() || row.failedAttempts() > 0) {
            repository.updateDunning(sub.id(), "active", 0, false);
            if (row.suspended() && owns(row)) {
                plans.setExpiry(row.userId(), row.userId(), row.cancelAtPeriodEnd() ? row.periodEnd() : null);
            }
        }
        long paidCents = inv.path("amount_paid").asLong(0);
        if (paidCents > 0) {
            BigDecimal usd = BigDecimal.valueOf(paidCents, 2);
            // Overage items (metadata overageKey, docs/billing.md#overage) go to OVERAGE_SALES, the rest to the plan.
            long overageCents = 0;
            for (JsonNode line : inv.path("lines").path("data")) {
                if (text(line.path("metadata"), "overageKey") != null) {
                    overageCents += line.path("amount").asLong(0);
                }
            }
            overageCents = Math.max(0, Math.min(overageCents, paidCents));
            List<Posting> postings = new java.util.ArrayList<>();
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).id(), usd.negate()));
            if (paidCents - overageCents > 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.SUBSCRIPTION_SALES).id(),
                        BigDecimal.valueOf(paidCents - overageCents, 2)));
            }
            if (overageCents > 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.OVERAGE_SALES).id(),
                        BigDecimal.valueOf(overageCents, 2)));
            }
            ledger.post(new NewTransaction(TransactionKind.CUSTOMER_PAYMENT,
                    "stripe:invoice:" + text(inv, "id") + ":paid",
                    "Stripe invoice " + text(inv, "number") + " paid (plan " + sub.planId() + ")",
                    postings,
                    null, row.userId(), Map.of("provider", PROVIDER, "stripeEvent", eventId,
                            "stripeInvoice", String.valueOf(text(inv, "id")), "stripeSubscription", sub.id(),
                            "userId", row.userId().toString(), "planId", sub.planId())));
        }
        // The first invoice pays the period the subscription started with; later ones the next period.
        if (!linkedNow && !"subscription_create".equals(text(inv, "billing_reason")) && start != null && owns(row)) {
            plans.renewOnPayment(row.userId(), java.util.Objects.requireNonNull(row.localSubscriptionId()));
            plans.renewDue(row.userId(), start.plus(RENEWAL_SLACK));
        }
        return "subscription_invoice_paid";
    }

    private String invoiceFailed(Instant created, JsonNode inv) {
        Sub sub = subscriptionOf(inv);
        if (sub == null) {
            return "ignored: not a subscription invoice";
        }
        StripeSubscriptionRow row = row(sub.id(), sub.userId(), sub.planId(), "past_due", created);
        int attempts = Math.max(row.failedAttempts(), inv.path("attempt_count").asInt(1));
        boolean retriesLeft = epoch(inv, "next_payment_attempt") != null;
        boolean last = !retriesLeft || attempts >= settings.maxPaymentAttempts();
        repository.updateDunning(sub.id(), row.suspended() ? null : "past_due", attempts, row.suspended());
        String amount = "USD " + BigDecimal.valueOf(inv.path("amount_due").asLong(0), 2).toPlainString();
        String title = last ? "Card payment failed: plan suspended" : "Card payment failed";
        String body = "The payment of " + amount + " for your " + sub.planId() + " plan failed (attempt " + attempts
                + "). " + (last ? "Your plan is suspended: the proxy answers 402 until a payment succeeds. "
                        : "Stripe retries automatically; ")
                + "Update your card in the customer portal on the billing page.";
        notifications.notify(row.userId(), "payment_failed", title, body, "/billing");
        accounts.find(row.userId()).ifPresent(a -> mail.enqueue(new OutgoingMail(a.email(), "IPLoop: " + title, body)));
        if (last) {
            suspend(repository.lockSubscription(sub.id()).orElseThrow(), "payment failed " + attempts + " times");
            return "payment_failed_suspended";
        }
        return "payment_failed_attempt_" + attempts;
    }

    /** Suspends the plan the subscription pays for: its end is now, so the proxy answers 402 subscription_expired. */
    private void suspend(StripeSubscriptionRow row, String why) {
        if (!row.suspended()) {
            repository.updateDunning(row.subscriptionId(), null, row.failedAttempts(), true);
        }
        if (owns(row)) {
            Subscription local = plans.current(row.userId()).orElseThrow();
            if (local.expiresAt() == null || local.expiresAt().isAfter(clock.instant())) {
                plans.setExpiry(row.userId(), row.userId(), clock.instant());
                log.info("Plan of {} suspended: Stripe subscription {} {}", row.userId(), row.subscriptionId(), why);
            }
        }
    }

    /** Whether the account's active plan is the one this Stripe subscription pays for (an admin may have changed it). */
    private boolean owns(StripeSubscriptionRow row) {
        UUID local = row.localSubscriptionId();
        return local != null && plans.current(row.userId()).map(s -> s.id().equals(local)).orElse(false);
    }

    /**
     * Puts the account on the subscription's plan the first time any event of it arrives paid or
     * active (whichever comes first), with the plan's included GB.
     *
     * @return whether it subscribed now
     */
    private boolean link(StripeSubscriptionRow row) {
        if (row.localSubscriptionId() != null) {
            return false;
        }
        Subscription local = plans.subscribe(row.userId(), row.planId());
        repository.link(row.subscriptionId(), local.id());
        // Stripe renews it when the next period is paid (invoice.paid), not the local job (docs/billing.md#card-renewal).
        plans.renewOnPayment(row.userId(), local.id());
        return true;
    }

    /** The subscription's row, created if this is the first event naming it, locked. */
    private StripeSubscriptionRow row(String subscriptionId, UUID userId, String planId, String status, Instant at) {
        repository.insertSubscriptionIfAbsent(subscriptionId, userId, planId, status, at);
        return repository.lockSubscription(subscriptionId).orElseThrow();
    }

    private record Sub(String id, UUID userId, String planId) {}

    /** The subscription an invoice belongs to, with our metadata (API 2025-03-31 and later, or older). */
    private @Nullable Sub subscriptionOf(JsonNode inv) {
        JsonNode details = inv.path("parent").path("subscription_details");
        String id = text(details, "subscription");
        if (id == null) {
            id = text(inv, "subscription");
        }
        JsonNode metadata = details.has("metadata") ? details.path("metadata") : inv.path("subscription_details")
                .path("metadata");
        UUID userId = uuid(text(metadata, "userId"));
        String planId = planOf(metadata, inv.path("lines").path("data").path(0).path("pricing").path("price_details"));
        if (id == null || userId == null || planId == null) {
            return null;
        }
        return new Sub(id, userId, planId);
    }

    private @Nullable String planOf(JsonNode metadata, JsonNode price) {
        String planId = text(metadata, "planId");
        if (planId != null) {
            return planId;
        }
        String priceId = price.isString() ? price.asString() : text(price, "id");
        return settings.planOfPrice(priceId != null ? priceId : text(price, "price")).orElse(null);
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isMissingNode() ? null : value.asString();
    }

    private static @Nullable Instant epoch(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : Instant.ofEpochSecond(value.asLong());
    }

    private static @Nullable UUID uuid(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
