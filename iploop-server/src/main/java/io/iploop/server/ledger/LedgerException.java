package io.iploop.server.ledger;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the ledger; {@link Reason} maps each to its code and HTTP status. */
public final class LedgerException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public LedgerException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    /** Why the posting was refused. */
    public Reason reason() {
        return reason;
    }

    /** Error codes of the ledger. */
    public enum Reason {
        /** The postings do not sum to zero per currency, or fewer than two were given. */
        UNBALANCED("ledger_unbalanced", HttpStatus.UNPROCESSABLE_CONTENT),
        /** An amount is zero or has more decimals than its currency allows. */
        INVALID_AMOUNT("invalid_amount", HttpStatus.BAD_REQUEST),
        /** The posting would take an account that must not go negative below zero. */
        INSUFFICIENT_FUNDS("insufficient_funds", HttpStatus.CONFLICT),
        /** The idempotency key was used before for a different transaction. */
        IDEMPOTENCY_CONFLICT("idempotency_key_conflict", HttpStatus.CONFLICT),
        /** No such account. */
        UNKNOWN_ACCOUNT("ledger_account_not_found", HttpStatus.NOT_FOUND);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
