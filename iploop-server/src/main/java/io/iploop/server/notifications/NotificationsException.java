package io.iploop.server.notifications;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the notifications feature; {@link Reason} maps each to its code and HTTP status. */
public final class NotificationsException extends ApiException {

    private static final long serialVersionUID = 1L;

    public NotificationsException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the notifications feature. */
    public enum Reason {
        /** No notification with this id for the caller (another account's is not found either). */
        NOT_FOUND("notification_not_found", HttpStatus.NOT_FOUND);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
