package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingDetails;
import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
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
 * {@code /api/billing} (docs/billing.md): the packages on sale with the payment instructions, top-up
 * requests, and the caller's invoices with their PDFs. Another user's invoice answers 404.
 */
@RestController
@RequestMapping("/api/billing")
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class BillingController {

    private final BillingService billing;
    private final VatIdVerification vies;

    BillingController(BillingService billing, VatIdVerification vies) {
        this.billing = billing;
        this.vies = vies;
    }

    @GetMapping("/packages")
    @Operation(summary = "Credit and GB packages on sale, the caller's credit balance (USD) and how to pay")
    PackagesResponse packages(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new PackagesResponse(billing.packages(), billing.creditBalance(caller.userId()),
                billing.paymentInstructions());
    }

    @PostMapping("/top-ups")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Request a package: creates an open invoice with payment instructions; "
            + "nothing is credited until an admin marks it paid")
    TopUpResponse topUp(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable TopUpBody body) {
        Invoice invoice = billing.requestTopUp(caller.userId(), body == null || body.packageId() == null ? ""
                : body.packageId());
        return new TopUpResponse(invoice, billing.paymentInstructions());
    }

    @PostMapping("/credits/purchase")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Buy a credit package: the same open invoice with payment instructions as a top-up, "
            + "credit packages only")
    TopUpResponse purchaseCredits(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable TopUpBody body) {
        Invoice invoice = billing.requestCreditPurchase(caller.userId(), body == null || body.packageId() == null ? ""
                : body.packageId());
        return new TopUpResponse(invoice, billing.paymentInstructions());
    }

    @GetMapping("/invoices")
    @Operation(summary = "The caller's invoices, newest first")
    InvoicesResponse invoices(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "50") int limit) {
        return new InvoicesResponse(billing.invoices(caller.userId(), limit));
    }

    @GetMapping("/invoices/{id}/pdf")
    @Operation(summary = "One of the caller's invoices as PDF")
    ResponseEntity<byte[]> pdf(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        Invoice invoice = billing.invoice(caller.userId(), id);
        byte[] pdf = billing.pdf(caller.userId(), id);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(invoice.number() + ".pdf").build().toString())
                .body(pdf);
    }

    @GetMapping("/details")
    @Operation(summary = "The caller's billing details (country, VAT id, company, address) used for VAT on new invoices")
    BillingDetailsResponse details(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new BillingDetailsResponse(billing.billingDetails(caller.userId()).orElse(null),
                vies.current(caller.userId()).orElse(null));
    }

    @PutMapping("/details")
    @Operation(summary = "Save the caller's billing details; the VAT id is checked against the country's format "
            + "and, in the EU, with VIES (reverse charge only for an id VIES confirms). "
            + "Issued invoices keep the details they were created with")
    BillingDetailsResponse saveDetails(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable DetailsBody body) {
        DetailsBody b = body == null ? new DetailsBody(null, null, null, null) : body;
        BillingDetails saved = billing.updateBillingDetails(caller.userId(),
                new BillingDetails(b.country() == null ? "" : b.country(), b.vatId(), b.company(), b.address()));
        // After the details' commit: VIES is never called with a database transaction open.
        return new BillingDetailsResponse(saved, vies.verify(caller.userId()).orElse(null));
    }

    @GetMapping("/credit-notes")
    @Operation(summary = "The caller's credit notes (refunds and chargebacks), newest first")
    CreditNotesResponse creditNotes(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "50") int limit) {
        return new CreditNotesResponse(billing.creditNotes(caller.userId(), limit));
    }

    @GetMapping("/credit-notes/{id}/pdf")
    @Operation(summary = "One of the caller's credit notes as PDF")
    ResponseEntity<byte[]> creditNotePdf(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        byte[] pdf = billing.creditNotePdf(caller.userId(), id);
        String number = billing.creditNotes(caller.userId(), 200).stream().filter(c -> c.id().equals(id))
                .map(CreditNote::number).findFirst().orElse("credit-note");
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(number + ".pdf").build().toString())
                .body(pdf);
    }

    /**
     * @param country ISO 3166-1 alpha-2 code, required
     * @param vatId VAT id with its country prefix (EL for Greece), or null for a consumer
     */
    record DetailsBody(@Nullable String country, @Nullable String vatId, @Nullable String company,
            @Nullable String address) {}

    /**
     * @param details null until saved
     * @param vies the VIES check of an EU VAT id (docs/billing.md#vies), null without one
     */
    record BillingDetailsResponse(@Nullable BillingDetails details, @Nullable ViesCheck vies) {}

    record CreditNotesResponse(List<CreditNote> creditNotes) {}

    /** @param packageId a package id from {@code GET /api/billing/packages} */
    record TopUpBody(@Nullable String packageId) {}

    /** @param creditBalanceUsd the caller's prepaid credits, 1 credit = USD 1 */
    record PackagesResponse(List<BillingPackage> packages, BigDecimal creditBalanceUsd,
            PaymentInstructions paymentInstructions) {}

    record TopUpResponse(Invoice invoice, PaymentInstructions paymentInstructions) {}

    record InvoicesResponse(List<Invoice> invoices) {}
}
