package io.iploop.server.autoban;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the auto-ban feature; {@link Reason} maps each to its code and HTTP status. */
public final class AutoBanException extends ApiException {

    private static final long serialVersionUID = 1L;

    public AutoBanException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the auto-ban feature. */
    public enum Reason {
        /** A setting out of its range; the field is named (docs/moderation.md#auto-ban-rules). */
        INVALID_RULES("invalid_auto_ban_rules", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
