package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutPaymentDetails;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.earn.EarnService;
import io.iploop.server.earn.ReviewFlag;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/cashouts} (docs/product/cashouts.md#admin-review): the review queue, approval and rejection of
 * pending cash-outs, the full payment details of cash-outs paid by hand (2FA session, each view
 * audited) and their completion with the paid reference (docs/product/cashouts.md#paying-by-hand). Admins only;
 * every action is audited.
 */
@RestController
@RequestMapping("/api/admin/cashouts")
@Tag(name = "Admin: cash-outs")
class CashoutsAdminController {

    private final CashoutsService cashouts;
    private final EarnService earn;

    CashoutsAdminController(CashoutsService cashouts, EarnService earn) {
        this.cashouts = cashouts;
        this.earn = earn;
    }

    @GetMapping
    @Operation(summary = "Cash-outs in a status (e.g. pending: the review queue), oldest first")
    QueueResponse queue(@RequestParam(required = false) @Nullable String status,
            @RequestParam(defaultValue = "100") int limit) {
        CashoutStatus s = null;
        if (status != null && !status.isBlank()) {
            try {
                s = CashoutStatus.fromDb(status);
            } catch (IllegalArgumentException e) {
                throw new CashoutsException(CashoutsException.Reason.VALIDATION,
                        "status: unknown status '" + status + "'", "status");
            }
        }
        List<Cashout> queue = cashouts.queue(s, limit);
        Map<UUID, List<ReviewFlag>> flags = new LinkedHashMap<>();
        for (Cashout c : queue) {
            if (!flags.containsKey(c.userId())) {
                List<ReviewFlag> open = earn.openReviewFlags(c.userId());
                if (!open.isEmpty()) {
                    flags.put(c.userId(), open);
                }
            }
        }
        return new QueueResponse(queue, flags);
    }

    @PostMapping("/{id}/approve")
    @Operation(summary = "Approve a pending cash-out; the payout job sends it on its next run")
    Cashout approve(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable NoteBody body) {
        return cashouts.approve(admin.userId(), id, body == null ? null : body.note());
    }

    @PostMapping("/{id}/reject")
    @Operation(summary = "Reject a pending cash-out; its credits go back to the user's earnings")
    Cashout reject(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable NoteBody body) {
        return cashouts.reject(admin.userId(), id, body == null ? null : body.note());
    }

    @GetMapping("/{id}/payment-details")
    @Operation(summary = "The full payment details of a cash-out paid by hand (not PayPal Payouts), so an admin "
            + "can send the money; needs a session signed in with 2FA; every view is audited (cashout_details_viewed)")
    CashoutPaymentDetails paymentDetails(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id) {
        return cashouts.paymentDetails(admin.userId(), admin.twoFactor(), id);
    }

    @PostMapping("/{id}/complete")
    @Operation(summary = "Mark a manually paid cash-out paid with the payment's reference (paidReference; "
            + "transactionId is accepted as its older name); stored, shown to the operator and audited")
    Cashout complete(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody CompleteBody body) {
        String reference = body.paidReference() != null ? body.paidReference() : body.transactionId();
        if (reference == null || reference.isBlank()) {
            throw new CashoutsException(CashoutsException.Reason.VALIDATION,
                    "paidReference: the payment's reference is required", "paidReference");
        }
        return cashouts.complete(admin.userId(), id, reference);
    }

    @PostMapping("/{id}/resolve")
    @Operation(summary = "Resolve a payout_unknown cash-out after checking the provider: outcome paid "
            + "(with its transactionId) completes it, outcome failed returns the credits")
    Cashout resolve(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @Valid @RequestBody ResolveBody body) {
        boolean paid = switch (body.outcome()) {
            case "paid" -> true;
            case "failed" -> false;
            default -> throw new CashoutsException(CashoutsException.Reason.VALIDATION,
                    "outcome: '" + body.outcome() + "' (expected: paid or failed)", "outcome");
        };
        return cashouts.resolveUnknownPayout(admin.userId(), id, paid, body.transactionId(), body.note());
    }

    record NoteBody(@Nullable String note) {}

    record ResolveBody(@NotBlank String outcome, @Nullable String transactionId, @Nullable String note) {}

    /** @param paidReference the payment's reference; {@code transactionId} is its older name, accepted too */
    record CompleteBody(@Nullable String paidReference, @Nullable String transactionId) {}

    /** @param earningsFlags open earnings review flags of the listed cash-outs' owners, by user id (docs/earn-fraud.md) */
    record QueueResponse(List<Cashout> cashouts, Map<UUID, List<ReviewFlag>> earningsFlags) {}
}
