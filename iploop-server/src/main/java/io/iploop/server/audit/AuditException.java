package io.iploop.server.audit;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the audit feature; {@link Reason} maps each to its code and HTTP status. */
public final class AuditException extends ApiException {

    private static final long serialVersionUID = 1L;

    public AuditException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the audit feature. */
    public enum Reason {
        INVALID_QUERY("invalid_audit_query", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
