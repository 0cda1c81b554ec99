package io.iploop.server.billing.internal;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.param.CustomerPaymentMethodListParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.PaymentMethodAttachParams;
import com.stripe.param.SetupIntentCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.PaymentMethod;
import io.iploop.server.billing.PaymentMethodsService;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Saved payment methods through Stripe (docs/billing.md#payment-methods): read from and changed on
 * the account's Stripe customer, which Stripe keeps (no copy here, so no webhook is needed to keep one
 * in step). A method is the caller's only when Stripe says it is attached to the caller's customer;
 * any other id answers {@code PAYMENT_METHOD_NOT_FOUND} before anything is changed. Cards are added
 * with Stripe's SetupIntent flow: by Stripe.js with the client secret of {@link #startSetup}, or on
 * Stripe's hosted Checkout page in {@code setup} mode from the billing page ({@link #setupCheckout},
 * {@link #finishSetupCheckout}). Stripe is called outside database transactions. Thread-safe.
 */
@Component
class PaymentMethods implements PaymentMethodsService {

    private static final Logger log = LoggerFactory.getLogger(PaymentMethods.class);
    /** Stripe object ids: a prefix, an underscore, letters and digits. */
    private static final Pattern PAYMENT_METHOD_ID = Pattern.compile("(pm|card|src|ba)_[A-Za-z0-9]{1,200}");
    private static final Pattern SESSION_ID = Pattern.compile("cs_[A-Za-z0-9_]{1,300}");

    private final StripeBilling stripe;
    private final StripeSettings settings;
    private final BillingService billing;
    private final String publicUrl;

    PaymentMethods(StripeBilling stripe, StripeSettings settings, BillingService billing,
            @Value("${iploop.accounts.public-url:http://127.0.0.1:8080}") String publicUrl) {
        this.stripe = stripe;
        this.settings = settings;
        this.billing = billing;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    @Override
    public boolean available() {
        return stripe.enabled();
    }

    private StripeClient client() {
        if (!stripe.enabled()) {
            throw new BillingException(Reason.PAYMENT_METHODS_UNAVAILABLE, "payment methods cannot be saved on this "
                    + "installation: card payments are not configured, payments are by bank transfer (manual provider)",
                    null);
        }
        return stripe.client();
    }

    @Override
    public List<PaymentMethod> list(UUID userId) {
        StripeClient client = client();
        Optional<String> customer = stripe.knownCustomer(userId);
        if (customer.isEmpty()) {
            return List.of(); // never paid by card: no Stripe customer is made just to show an empty list
        }
        return call(() -> list(client, customer.get()));
    }

    private static List<PaymentMethod> list(StripeClient client, String customer) throws StripeException {
        String def = defaultOf(client, customer);
        var methods = client.v1().customers().paymentMethods().list(customer,
                CustomerPaymentMethodListParams.builder().setLimit(100L).build()).getData();
        return methods == null ? List.of() : methods.stream().map(m -> view(m, def)).toList();
    }

    private static @Nullable String defaultOf(StripeClient client, String customer) throws StripeException {
        var c = client.v1().customers().retrieve(customer);
        return c.getInvoiceSettings() == null ? null : c.getInvoiceSettings().getDefaultPaymentMethod();
    }

    private static PaymentMethod view(com.stripe.model.PaymentMethod m, @Nullable String defaultId) {
        var card = m.getCard();
        String last4 = card != null ? card.getLast4() : m.getSepaDebit() != null ? m.getSepaDebit().getLast4() : null;
        return new PaymentMethod(m.getId(), String.valueOf(m.getType()), card == null ? null : card.getBrand(), last4,
                card == null || card.getExpMonth() == null ? null : card.getExpMonth().intValue(),
                card == null || card.getExpYear() == null ? null : card.getExpYear().intValue(),
                m.getId().equals(defaultId));
    }

    @Override
    public SetupStarted startSetup(UUID userId) {
        StripeClient client = client();
        String customer = stripe.customer(userId);
        SetupIntentCreateParams params = SetupIntentCreateParams.builder().setCustomer(customer)
                .setUsage(SetupIntentCreateParams.Usage.OFF_SESSION).addPaymentMethodType("card")
                .putMetadata("userId", userId.toString()).build();
        var intent = call(() -> client.v1().setupIntents().create(params));
        return new SetupStarted(intent.getId(), intent.getClientSecret(),
                settings.publishableKey().isBlank() ? null : settings.publishableKey());
    }

    @Override
    public PaymentMethod add(UUID userId, String paymentMethodId) {
        StripeClient client = client();
        String id = paymentMethodId == null ? "" : paymentMethodId.strip();
        if (!PAYMENT_METHOD_ID.matcher(id).matches()) {
            throw new BillingException(Reason.VALIDATION, "paymentMethodId: " + (id.isEmpty() ? "missing"
                    : "'" + abbreviate(id) + "' is not a Stripe payment method id (expected: pm_…)"), "paymentMethodId");
        }
        String customer = stripe.customer(userId);
        com.stripe.model.PaymentMethod method = retrieve(client, id);
        if (method.getCustomer() != null && !method.getCustomer().equals(customer)) {
            throw notFound(id); // another customer's: said as unknown, nothing changed
        }
        try {
            if (method.getCustomer() == null) {
                method = client.v1().paymentMethods().attach(id,
                        PaymentMethodAttachParams.builder().setCustomer(customer).build());
            }
            String def = defaultOf(client, customer);
            if (def == null) {
                setDefault(client, customer, id);
                def = id;
            }
            return view(method, def);
        } catch (CardException e) {
            throw new BillingException(Reason.VALIDATION, "paymentMethodId: the card was declined ("
                    + (e.getDeclineCode() != null ? e.getDeclineCode() : e.getCode()) + ")", "paymentMethodId");
        } catch (StripeException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void remove(UUID userId, String paymentMethodId) {
        StripeClient client = client();
        Owned owned = owned(client, userId, paymentMethodId);
        List<PaymentMethod> methods = call(() -> list(client, owned.customer()));
        PaymentMethod target = methods.stream().filter(m -> m.id().equals(owned.id())).findFirst()
                .orElseThrow(() -> notFound(owned.id()));
        boolean charged = target.isDefault() || (methods.size() == 1 && methods.stream().noneMatch(PaymentMethod::isDefault));
        if (charged) {
            String user = dependant(userId);
            if (user != null) {
                throw new BillingException(Reason.PAYMENT_METHOD_IN_USE, "the " + describe(target) + " is the card "
                        + user + " is charged to; make another card the default first, or turn that off", null);
            }
        }
        call(() -> client.v1().paymentMethods().detach(owned.id()));
        log.info("payment method {} of user {} detached", owned.id(), userId);
    }

    /** What depends on the account's default card, in words, or null when nothing does. */
    private @Nullable String dependant(UUID userId) {
        if (billing.autoTopUp(userId).enabled()) {
            return "your auto top-up";
        }
        return stripe.subscription(userId).filter(s -> !StripeBilling.ENDED.contains(s.status()))
                .map(s -> "your " + s.planId() + " card subscription").orElse(null);
    }

    @Override
    public PaymentMethod makeDefault(UUID userId, String paymentMethodId) {
        StripeClient client = client();
        Owned owned = owned(client, userId, paymentMethodId);
        call(() -> setDefault(client, owned.customer(), owned.id()));
        return view(owned.method(), owned.id());
    }

    private static com.stripe.model.Customer setDefault(StripeClient client, String customer, String id)
            throws StripeException {
        return client.v1().customers().update(customer, CustomerUpdateParams.builder()
                .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder().setDefaultPaymentMethod(id).build())
                .build());
    }

    /** One of the caller's payment methods, as Stripe has it attached to the caller's customer. */
    private record Owned(String customer, String id, com.stripe.model.PaymentMethod method) {}

    private Owned owned(StripeClient client, UUID userId, String paymentMethodId) {
        String id = paymentMethodId == null ? "" : paymentMethodId.strip();
        if (!PAYMENT_METHOD_ID.matcher(id).matches()) {
            throw new BillingException(Reason.VALIDATION, "id: '" + abbreviate(id)
                    + "' is not a Stripe payment method id (expected: pm_…)", "id");
        }
        String customer = stripe.knownCustomer(userId).orElseThrow(() -> notFound(id));
        com.stripe.model.PaymentMethod method = retrieve(client, id);
        if (!customer.equals(method.getCustomer())) {
            throw notFound(id);
        }
        return new Owned(customer, id, method);
    }

    private static com.stripe.model.PaymentMethod retrieve(StripeClient client, String id) {
        try {
            return client.v1().paymentMethods().retrieve(id);
        } catch (InvalidRequestException e) {
            if (Objects.equals(e.getStatusCode(), 404)) {
                throw notFound(id);
            }
            throw unavailable(e);
        } catch (StripeException e) {
            throw unavailable(e);
        }
    }

    // --- The billing page: Stripe's hosted page in setup mode (no Stripe.js on our pages).

    /**
     * A Checkout session in {@code setup} mode for the caller's customer: Stripe's page collects a card
     * and confirms a SetupIntent for off-session use; it returns to {@code /billing/payment-methods/added}.
     *
     * @return Stripe's page to send the browser to
     */
    String setupCheckout(UUID userId) {
        StripeClient client = client();
        String customer = stripe.customer(userId);
        SessionCreateParams params = SessionCreateParams.builder().setMode(SessionCreateParams.Mode.SETUP)
                .setCustomer(customer).setCurrency("usd")
                .addPaymentMethodType(SessionCreateParams.PaymentMethodType.CARD)
                .putMetadata("userId", userId.toString())
                .setSetupIntentData(SessionCreateParams.SetupIntentData.builder()
                        .putMetadata("userId", userId.toString()).build())
                .setSuccessUrl(publicUrl + "/billing/payment-methods/added?session_id={CHECKOUT_SESSION_ID}")
                .setCancelUrl(publicUrl + "/billing#payment-methods").build();
        return call(() -> client.v1().checkout().sessions().create(params).getUrl());
    }

    /**
     * Back from a setup-mode Checkout session: when it is the caller's and its SetupIntent succeeded,
     * the saved card becomes the default if the customer has none. Repeating it changes nothing more.
     *
     * @return whether a card was saved
     * @throws BillingException {@code PAYMENT_METHOD_NOT_FOUND} for a session of another customer or an unknown one
     */
    boolean finishSetupCheckout(UUID userId, String sessionId) {
        StripeClient client = client();
        String id = sessionId == null ? "" : sessionId.strip();
        if (!SESSION_ID.matcher(id).matches()) {
            throw new BillingException(Reason.VALIDATION, "session_id: not a Checkout session id", "session_id");
        }
        String customer = stripe.knownCustomer(userId).orElseThrow(() -> notFound(id));
        return call(() -> {
            var session = client.v1().checkout().sessions().retrieve(id);
            if (!customer.equals(session.getCustomer()) || !"setup".equals(session.getMode())) {
                throw notFound(id);
            }
            if (session.getSetupIntent() == null) {
                return false;
            }
            var intent = client.v1().setupIntents().retrieve(session.getSetupIntent());
            if (!"succeeded".equals(intent.getStatus()) || intent.getPaymentMethod() == null) {
                return false;
            }
            if (defaultOf(client, customer) == null) {
                setDefault(client, customer, intent.getPaymentMethod());
            }
            return true;
        });
    }

    private static String describe(PaymentMethod m) {
        return (m.brand() != null ? m.brand() : m.type()) + (m.last4() != null ? " ending in " + m.last4() : "");
    }

    private static BillingException notFound(String id) {
        return new BillingException(Reason.PAYMENT_METHOD_NOT_FOUND, "no such payment method: " + abbreviate(id), null);
    }

    private static BillingException unavailable(StripeException e) {
        log.warn("Stripe refused a payment method request: {} (request id {})", e.getMessage(), e.getRequestId());
        return new BillingException(Reason.PROVIDER_UNAVAILABLE,
                "the card payment provider did not answer as expected; try again in a moment", null);
    }

    private interface StripeCall<T> {
        T call() throws StripeException;
    }

    private static <T> T call(StripeCall<T> call) {
        try {
            return call.call();
        } catch (StripeException e) {
            throw unavailable(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
