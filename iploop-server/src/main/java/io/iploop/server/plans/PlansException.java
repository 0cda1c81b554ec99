package io.iploop.server.plans;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the plans feature; {@link Reason} maps each to its code and HTTP status. */
public final class PlansException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public PlansException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Error codes of the plans feature. */
    public enum Reason {
        /** No plan with the id in the path. */
        PLAN_NOT_FOUND("plan_not_found", HttpStatus.NOT_FOUND),
        /** A request body names a plan that does not exist (or is inactive where that matters). */
        UNKNOWN_PLAN("unknown_plan", HttpStatus.BAD_REQUEST),
        /** A plan with this id exists already. */
        PLAN_EXISTS("plan_exists", HttpStatus.CONFLICT),
        /** The plan still has active subscribers or is the sign-up plan. */
        PLAN_IN_USE("plan_in_use", HttpStatus.CONFLICT),
        /** A value a plan cannot have; the field names it. */
        INVALID_PLAN("validation_failed", HttpStatus.BAD_REQUEST),
        /** The account has no active subscription to change. */
        NO_SUBSCRIPTION("no_subscription", HttpStatus.CONFLICT),
        /** Usage alert settings with a value they cannot have; the field names it. */
        INVALID_ALERT("validation_failed", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
