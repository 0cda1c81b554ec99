package io.iploop.server.egress;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the egress feature; {@link Reason} maps each to its code and HTTP status. */
public final class EgressException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public EgressException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Error codes of the egress feature. */
    public enum Reason {
        /** A blocklist entry that cannot be stored; the field names what is wrong. */
        INVALID_ENTRY("validation_failed", HttpStatus.BAD_REQUEST),
        /** No blocklist entry with the id in the path. */
        ENTRY_NOT_FOUND("blocklist_entry_not_found", HttpStatus.NOT_FOUND);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
