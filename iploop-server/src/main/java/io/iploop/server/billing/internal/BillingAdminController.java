package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/billing} (docs/billing.md#payment): every customer's invoices, and recording a
 * bank transfer's arrival (mark paid) or voiding an open invoice. Admins signed in with 2FA only (the
 * {@code /api/admin/**} rule); every action is audited.
 */
@RestController
@RequestMapping("/api/admin/billing")
@Tag(name = "Admin: billing")
class BillingAdminController {

    private final BillingService billing;

    BillingAdminController(BillingService billing) {
        this.billing = billing;
    }

    @GetMapping("/invoices")
    @Operation(summary = "Invoices of every customer in a status (e.g. open), oldest first")
    InvoicesResponse invoices(@RequestParam(required = false) @Nullable String status,
            @RequestParam(defaultValue = "100") int limit) {
        InvoiceStatus s = null;
        if (status != null && !status.isBlank()) {
            try {
                s = InvoiceStatus.of(status);
            } catch (IllegalArgumentException e) {
                throw new BillingException(BillingException.Reason.VALIDATION,
                        "status: unknown status (expected: open, paid or void)", "status");
            }
        }
        return new InvoicesResponse(billing.adminInvoices(s, limit));
    }

    @PostMapping("/invoices/{id}/mark-paid")
    @Operation(summary = "Record that an open invoice was paid, with the transfer's reference: credits or GB are "
            + "applied and one ledger transaction posted; an already paid invoice is returned unchanged")
    Invoice markPaid(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable MarkPaidBody body) {
        return billing.markPaid(admin.userId(), id, body == null || body.paymentReference() == null ? ""
                : body.paymentReference());
    }

    @PostMapping("/invoices/{id}/void")
    @Operation(summary = "Void an open invoice with a reason; nothing is credited")
    Invoice voidInvoice(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable VoidBody body) {
        return billing.voidInvoice(admin.userId(), id, body == null || body.reason() == null ? "" : body.reason());
    }

    @PostMapping("/invoices/{id}/refund")
    @Operation(summary = "Refund (part of) a paid invoice: a numbered credit note with PDF and one ledger transaction "
            + "taking back the unspent credits or GB; 409 when the customer already spent them. A retry with the same "
            + "idempotencyKey returns the first credit note")
    @ResponseStatus(HttpStatus.CREATED)
    CreditNote refund(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID id,
            @RequestBody(required = false) @Nullable RefundBody body) {
        if (body == null || body.amountCents() == null) {
            throw new BillingException(BillingException.Reason.VALIDATION,
                    "amountCents: missing (expected: cents to refund, tax included)", "amountCents");
        }
        return billing.refund(admin.userId(), id, body.amountCents(), body.reason() == null ? "" : body.reason(),
                body.idempotencyKey());
    }

    @GetMapping("/invoices/{id}/credit-notes")
    @Operation(summary = "The credit notes (refunds, chargebacks) of one invoice, oldest first")
    CreditNotesResponse creditNotes(@PathVariable UUID id) {
        return new CreditNotesResponse(billing.invoiceCreditNotes(id));
    }

    /**
     * @param amountCents cents to refund, tax included, at most what is left of the invoice
     * @param reason why, 3-500 characters
     * @param idempotencyKey optional, 1-100 characters: a retry with the same key refunds once
     */
    record RefundBody(@Nullable Long amountCents, @Nullable String reason, @Nullable String idempotencyKey) {}

    record CreditNotesResponse(List<CreditNote> creditNotes) {}

    /** @param paymentReference the bank transfer's reference, 1-200 characters */
    record MarkPaidBody(@Nullable String paymentReference) {}

    /** @param reason why, 3-500 characters */
    record VoidBody(@Nullable String reason) {}

    record InvoicesResponse(List<Invoice> invoices) {}
}
