package io.iploop.server.billing.internal;

import io.iploop.server.billing.PaymentMethod;
import io.iploop.server.billing.PaymentMethodsService;
import io.iploop.server.billing.PaymentMethodsService.SetupStarted;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/billing/payment-methods} (docs/billing.md#payment-methods): the caller's cards saved with
 * Stripe. Another customer's id answers 404; without Stripe every route answers 409
 * {@code payment_methods_unavailable}.
 */
@RestController
@RequestMapping("/api/billing/payment-methods")
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class PaymentMethodsController {

    private final PaymentMethodsService methods;

    PaymentMethodsController(PaymentMethodsService methods) {
        this.methods = methods;
    }

    @GetMapping
    @Operation(summary = "The caller's saved payment methods (brand, last 4 digits, expiry, default flag), newest first")
    PaymentMethodsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new PaymentMethodsResponse(methods.list(caller.userId()));
    }

    @PostMapping
    @Operation(summary = "Without paymentMethodId: start a Stripe SetupIntent (client secret and publishable key "
            + "for Stripe.js). With the paymentMethodId Stripe.js confirmed: attach it to the caller (default when "
            + "none is)")
    ResponseEntity<Object> add(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable AddBody body) {
        if (body == null || body.paymentMethodId() == null) {
            SetupStarted started = methods.startSetup(caller.userId());
            return ResponseEntity.status(HttpStatus.CREATED).body(started);
        }
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new PaymentMethodResponse(methods.add(caller.userId(), body.paymentMethodId())));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove one of the caller's payment methods (409 payment_method_in_use for the card an "
            + "auto top-up or card subscription is charged to)")
    void remove(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable String id) {
        methods.remove(caller.userId(), id);
    }

    @PutMapping("/{id}/default")
    @Operation(summary = "Make one of the caller's payment methods the default (invoice_settings.default_payment_method)")
    PaymentMethodResponse makeDefault(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable String id) {
        return new PaymentMethodResponse(methods.makeDefault(caller.userId(), id));
    }

    /** @param paymentMethodId a {@code pm_…} confirmed with Stripe.js; null: start a SetupIntent */
    record AddBody(@Nullable String paymentMethodId) {}

    record PaymentMethodsResponse(List<PaymentMethod> paymentMethods) {}

    record PaymentMethodResponse(PaymentMethod paymentMethod) {}
}
