package io.iploop.server.webhooks;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the webhooks feature; {@link Reason} maps each to its code and HTTP status. */
public final class WebhooksException extends ApiException {

    private static final long serialVersionUID = 1L;

    public WebhooksException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the webhooks feature (docs/integrations/webhooks.md#endpoints). */
    public enum Reason {
        /** Unknown endpoint, or another account's (never revealed as such: 404, not 403). */
        NOT_FOUND("webhook_not_found", HttpStatus.NOT_FOUND),
        /** A URL that is not absolute https (or http where allowed), or names a forbidden destination. */
        INVALID_URL("invalid_webhook_url", HttpStatus.BAD_REQUEST),
        /** No event type, or one that does not exist. */
        INVALID_EVENT_TYPES("invalid_event_types", HttpStatus.BAD_REQUEST),
        /** A description over 200 characters. */
        INVALID_DESCRIPTION("invalid_description", HttpStatus.BAD_REQUEST),
        /** At most {@link WebhooksService#MAX_ENDPOINTS} endpoints per account. */
        LIMIT_REACHED("webhook_limit_reached", HttpStatus.CONFLICT),
        /** A test event for a disabled endpoint: enable it first. */
        DISABLED("webhook_disabled", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
