package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.AutoCashoutSettings;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutPage;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.cashouts.MethodConfig;
import io.iploop.server.cashouts.NewCashout;
import io.iploop.server.cashouts.NewPaymentMethod;
import io.iploop.server.cashouts.SavedPaymentMethod;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/earn/cashout}, {@code /api/earn/payment-methods}, {@code /api/earn/auto-cashout}
 * (docs/product/cashouts.md): the caller's cash-outs, saved payment methods and auto-cash-out. Another
 * user's ids answer 404.
 */
@RestController
@RequestMapping("/api/earn")
@Tag(name = "cash-outs", description = "Cashing out earn credits")
class CashoutsController {

    private final CashoutsService cashouts;

    CashoutsController(CashoutsService cashouts) {
        this.cashouts = cashouts;
    }

    @GetMapping("/cashout/methods")
    @Operation(summary = "Cash-out methods with minimums, fees, processing time and availability")
    MethodsResponse methods() {
        return new MethodsResponse(cashouts.methods());
    }

    @PostMapping("/cashout")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Request a cash-out; a confirmation code is e-mailed",
            description = "Give amountUsd or amountCredits, and paymentDetails or savedPaymentMethodId. "
                    + "Nothing is reserved until the code is confirmed.")
    Cashout request(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody CashoutBody body) {
        return cashouts.request(caller.userId(), new NewCashout(body.method() == null ? "" : body.method(),
                body.amountUsd(), body.amountCredits(), body.paymentDetails(), body.savedPaymentMethodId()));
    }

    @PostMapping("/cashout/{id}/confirm")
    @Operation(summary = "Confirm with the e-mailed code: the cash-out becomes pending and its credits are reserved")
    Cashout confirm(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @Valid @RequestBody CodeBody body) {
        return cashouts.confirm(caller.userId(), id, body.code());
    }

    @DeleteMapping("/cashout/{id}")
    @Operation(summary = "Cancel a cash-out that awaits confirmation or is pending; reserved credits come back")
    Cashout cancel(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return cashouts.cancel(caller.userId(), id);
    }

    @GetMapping("/cashout/history")
    @Operation(summary = "The caller's cash-outs, newest first")
    CashoutPage history(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int limit) {
        return cashouts.history(caller.userId(), page, limit);
    }

    @GetMapping("/cashout/{id}")
    @Operation(summary = "One of the caller's cash-outs")
    Cashout get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return cashouts.get(caller.userId(), id);
    }

    @GetMapping("/payment-methods")
    @Operation(summary = "The caller's saved payment methods, masked")
    PaymentMethodsResponse paymentMethods(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new PaymentMethodsResponse(cashouts.paymentMethods(caller.userId()));
    }

    @PostMapping("/payment-methods")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Save a payment method (encrypted at rest); a verification code is e-mailed")
    SavedPaymentMethod addPaymentMethod(@AuthenticationPrincipal AuthenticatedUser caller,
            @Valid @RequestBody PaymentMethodBody body) {
        return cashouts.addPaymentMethod(caller.userId(), new NewPaymentMethod(body.method(), body.label(),
                body.details(), Boolean.TRUE.equals(body.isDefault())));
    }

    @PostMapping("/payment-methods/{id}/verify")
    @Operation(summary = "Verify a saved payment method with its e-mailed code")
    SavedPaymentMethod verifyPaymentMethod(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @Valid @RequestBody CodeBody body) {
        return cashouts.verifyPaymentMethod(caller.userId(), id, body.code());
    }

    @DeleteMapping("/payment-methods/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a saved payment method")
    void deletePaymentMethod(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        cashouts.deletePaymentMethod(caller.userId(), id);
    }

    @GetMapping("/auto-cashout")
    @Operation(summary = "The caller's auto-cash-out settings")
    AutoCashoutSettings autoCashout(@AuthenticationPrincipal AuthenticatedUser caller) {
        return cashouts.autoCashout(caller.userId());
    }

    @PutMapping("/auto-cashout")
    @Operation(summary = "Configure auto-cash-out: daily, all available earnings once they reach the threshold",
            description = "Needs a saved, verified payment method; no confirmation code per cash-out.")
    AutoCashoutSettings configureAutoCashout(@AuthenticationPrincipal AuthenticatedUser caller,
            @Valid @RequestBody AutoCashoutBody body) {
        return cashouts.configureAutoCashout(caller.userId(), Boolean.TRUE.equals(body.enabled()),
                java.util.Objects.requireNonNull(body.thresholdUsd()), body.paymentMethodId());
    }

    /** Body of {@code POST /api/earn/cashout}; validated by the service so errors name the field. */
    record CashoutBody(@Nullable String method, @Nullable BigDecimal amountUsd, @Nullable Long amountCredits,
            @Nullable Map<String, String> paymentDetails, @Nullable UUID savedPaymentMethodId) {}

    record CodeBody(@NotBlank String code) {}

    record PaymentMethodBody(@NotBlank String method, @Nullable String label,
            @NotNull Map<String, String> details, @Nullable Boolean isDefault) {}

    record AutoCashoutBody(@NotNull @Nullable Boolean enabled, @NotNull @Nullable BigDecimal thresholdUsd,
            @Nullable UUID paymentMethodId) {}

    record MethodsResponse(List<MethodConfig> methods) {}

    record PaymentMethodsResponse(List<SavedPaymentMethod> paymentMethods) {}
}
