package io.iploop.server.cashouts;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the cash-outs feature; {@link Reason} maps each to its code and HTTP status. */
public final class CashoutsException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public CashoutsException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }

    /** Error codes of the cash-outs feature. */
    public enum Reason {
        /** A request field is missing or malformed; the field is named. */
        VALIDATION("validation_failed", HttpStatus.BAD_REQUEST),
        /** The method exists but is not offered now ({@code is_active = false}). */
        METHOD_UNAVAILABLE("cashout_method_unavailable", HttpStatus.BAD_REQUEST),
        /** Below the method's minimum, or nothing left after its fee. */
        BELOW_MINIMUM("below_minimum", HttpStatus.BAD_REQUEST),
        /** More than the available (unreserved) earnings at request time. */
        INSUFFICIENT_BALANCE("insufficient_balance", HttpStatus.BAD_REQUEST),
        /** Payment details that do not fit the method (e-mail, address, IBAN, BIC); the field is named. */
        INVALID_PAYMENT_DETAILS("invalid_payment_details", HttpStatus.BAD_REQUEST),
        /** A wrong confirmation code; the message says how many attempts are left. */
        INVALID_CODE("invalid_confirmation_code", HttpStatus.BAD_REQUEST),
        /** The code expired or was guessed wrong too often; request again. */
        CODE_EXPIRED("confirmation_code_expired", HttpStatus.BAD_REQUEST),
        /** At confirmation the earnings no longer cover the amount (e.g. another cash-out took them). */
        INSUFFICIENT_FUNDS("insufficient_funds", HttpStatus.CONFLICT),
        /** A transition {@link CashoutStateMachine} does not allow; the message names from and to. */
        INVALID_TRANSITION("invalid_transition", HttpStatus.CONFLICT),
        /** The action needs a session signed in with a second factor (TOTP or backup code). */
        TWO_FACTOR_REQUIRED("two_factor_required", HttpStatus.FORBIDDEN),
        /** No such cash-out for this caller (another user's is not found either). */
        NOT_FOUND("cashout_not_found", HttpStatus.NOT_FOUND),
        /** No such saved payment method for this caller. */
        PAYMENT_METHOD_NOT_FOUND("payment_method_not_found", HttpStatus.NOT_FOUND),
        /** The saved payment method has not been verified with its e-mailed code. */
        PAYMENT_METHOD_UNVERIFIED("payment_method_unverified", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
