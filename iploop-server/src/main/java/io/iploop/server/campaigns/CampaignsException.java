package io.iploop.server.campaigns;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the campaigns feature; {@link Reason} maps each to its code and HTTP status. */
public final class CampaignsException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public CampaignsException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }

    /** Error codes of the campaigns feature. */
    public enum Reason {
        /** Unknown project, or another account's (never revealed as such: 404, not 403). */
        PROJECT_NOT_FOUND("project_not_found", HttpStatus.NOT_FOUND),
        /** Unknown domain claim, or another account's. */
        DOMAIN_NOT_FOUND("domain_not_found", HttpStatus.NOT_FOUND),
        /** A field out of its rules; the message and {@code field} name it (e.g. {@code settings.geoTargets[1].weight}). */
        INVALID("validation_error", HttpStatus.BAD_REQUEST),
        /** The status change is not one {@link ProjectStatus} allows. */
        INVALID_TRANSITION("invalid_status_transition", HttpStatus.CONFLICT),
        /** The account already claimed this domain. */
        DOMAIN_ALREADY_CLAIMED("domain_already_claimed", HttpStatus.CONFLICT),
        /** A running or paused project still targets the domain. */
        DOMAIN_IN_USE("domain_in_use", HttpStatus.CONFLICT),
        /** Neither the DNS record nor the file carried the token; the message says what was found. */
        VERIFICATION_FAILED("domain_verification_failed", HttpStatus.UNPROCESSABLE_CONTENT),
        /** No payment webhook secret is configured, so no payment event can be trusted (docs/campaigns.md#funding). */
        PAYMENT_WEBHOOK_NOT_CONFIGURED("payment_webhook_not_configured", HttpStatus.SERVICE_UNAVAILABLE),
        /** The payment webhook's signature is missing, wrong or outside the timestamp tolerance. */
        INVALID_SIGNATURE("invalid_signature", HttpStatus.BAD_REQUEST),
        /** Unknown payment event. */
        PAYMENT_NOT_FOUND("payment_not_found", HttpStatus.NOT_FOUND),
        /** The payment event is not (or no longer) unmatched, so it cannot be assigned. */
        PAYMENT_NOT_UNMATCHED("payment_not_unmatched", HttpStatus.CONFLICT),
        /** No campaign wallet top-up has the idempotency key a refund or chargeback names. */
        TOP_UP_NOT_FOUND("top_up_not_found", HttpStatus.NOT_FOUND),
        /**
         * A refund would take back more than the wallet still holds (the customer spent part of the
         * top-up); only refunds are refused for that, chargebacks never (docs/campaigns.md#refunds-and-chargebacks).
         */
        REVERSAL_EXCEEDS_UNSPENT("reversal_exceeds_unspent", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
