package io.iploop.server.billing.internal;

import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.billing.stripe.*} (docs/billing.md#stripe). Stripe is on only when both secrets are
 * set. Immutable.
 *
 * @param secretKey the API secret key ({@code IPLOOP_STRIPE_SECRET_KEY}); empty: Stripe off
 * @param webhookSecret the webhook endpoint's signing secret ({@code IPLOOP_STRIPE_WEBHOOK_SECRET})
 * @param apiBase another API base URL (tests: a local stand-in); empty: Stripe's own
 * @param prices Stripe price id per plan id for monthly subscriptions ({@code starter=price_…}), and
 *     per {@code <planId>-year} for yearly ones; plans without one cannot be subscribed by card
 * @param toleranceSeconds how old a webhook's signature timestamp may be, in seconds (Stripe's 300)
 * @param maxPaymentAttempts failed attempts of one invoice after which the plan is suspended even if
 *     Stripe still plans a retry (the first try plus Stripe's 3 smart retries: 4)
 * @param publishableKey the publishable key ({@code IPLOOP_STRIPE_PUBLISHABLE_KEY}, {@code pk_…}) handed to
 *     Stripe.js clients with a SetupIntent (docs/billing.md#payment-methods); empty: not handed out
 */
@ConfigurationProperties("iploop.billing.stripe")
record StripeSettings(@DefaultValue("") String secretKey, @DefaultValue("") String webhookSecret,
        @DefaultValue("") String apiBase, @Nullable Map<String, String> prices,
        @DefaultValue("300") long toleranceSeconds, @DefaultValue("4") int maxPaymentAttempts,
        @DefaultValue("") String publishableKey) {

    /** Whether card payments are configured. */
    boolean enabled() {
        return !secretKey.isBlank() && !webhookSecret.isBlank();
    }

    /** The price of {@code planId} billed every {@code interval} ({@code month} or {@code year}). */
    Optional<String> price(String planId, String interval) {
        if (prices == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(prices.get("year".equals(interval) ? planId + "-year" : planId))
                .filter(p -> !p.isBlank());
    }

    /** The plan a configured price belongs to. */
    Optional<String> planOfPrice(@Nullable String priceId) {
        if (prices == null || priceId == null) {
            return Optional.empty();
        }
        return prices.entrySet().stream().filter(e -> priceId.equals(e.getValue())).map(Map.Entry::getKey)
                .map(k -> k.endsWith("-year") ? k.substring(0, k.length() - "-year".length()) : k).findFirst();
    }
}
