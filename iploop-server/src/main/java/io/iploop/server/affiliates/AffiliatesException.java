package io.iploop.server.affiliates;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the affiliates feature; {@link Reason} maps each to its code and HTTP status. */
public final class AffiliatesException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public AffiliatesException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }

    /** Error codes of the affiliates feature. */
    public enum Reason {
        /** A field out of its rules; the message and {@code field} name it. */
        INVALID("validation_error", HttpStatus.BAD_REQUEST),
        /** A payout below the programme's minimum (docs/affiliates.md#payouts). */
        BELOW_MINIMUM("below_minimum", HttpStatus.BAD_REQUEST),
        /**
         * The payout would take commission the affiliate owes back for refunded top-ups
         * (docs/affiliates.md#refunds-and-chargebacks): only what is available beyond the debt can be paid out.
         */
        OWED("commission_owed", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
