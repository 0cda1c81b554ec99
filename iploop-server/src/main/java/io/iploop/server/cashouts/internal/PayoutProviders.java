package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.CashoutMethod;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Chooses the provider of each method: PayPal cash-outs go to the PayPal Payouts client when
 * {@code iploop.cashouts.paypal.client-id} and {@code -secret} are set; everything else (crypto,
 * bank, gift cards, and PayPal without credentials) to the manual provider. Thread-safe.
 */
@Component
class PayoutProviders {

    private final @Nullable PayoutProvider paypal;
    private final PayoutProvider manual = new ManualPayoutProvider();

    PayoutProviders(CashoutsSettings settings, JsonMapper json, Clock clock) {
        CashoutsSettings.PayPal p = settings.paypal();
        this.paypal = p.enabled()
                ? new PayPalPayoutClient(p.baseUrl(), java.util.Objects.requireNonNull(p.clientId()),
                        java.util.Objects.requireNonNull(p.clientSecret()), json, clock, Duration.ofSeconds(20))
                : null;
    }

    /** The provider a cash-out of {@code method} is processed by. */
    PayoutProvider forMethod(CashoutMethod method) {
        return method == CashoutMethod.PAYPAL && paypal != null ? paypal : manual;
    }

    /** The provider stored under {@code name}, if it is configured. */
    Optional<PayoutProvider> byName(String name) {
        if (PayoutProvider.MANUAL.equals(name)) {
            return Optional.of(manual);
        }
        return PayoutProvider.PAYPAL.equals(name) ? Optional.ofNullable(paypal) : Optional.empty();
    }

    /** Names of the configured automatic providers, whose payouts the job sends and polls. */
    List<String> automaticNames() {
        return paypal == null ? List.of() : List.of(paypal.name());
    }
}
