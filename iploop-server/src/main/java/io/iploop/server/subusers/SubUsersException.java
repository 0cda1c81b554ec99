package io.iploop.server.subusers;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the sub-users feature; {@link Reason} maps each to its code and HTTP status. */
public final class SubUsersException extends ApiException {

    private static final long serialVersionUID = 1L;

    public SubUsersException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the sub-users feature. */
    public enum Reason {
        /** Unknown sub-user, or another account's (never revealed as such: 404, not 403). */
        NOT_FOUND("sub_user_not_found", HttpStatus.NOT_FOUND),
        /** A field out of its rules; the message and {@code field} name it. */
        INVALID("validation_error", HttpStatus.BAD_REQUEST),
        /** The account already has a sub-user of that name. */
        NAME_TAKEN("sub_user_name_taken", HttpStatus.CONFLICT),
        /** docs/sub-users.md: at most {@link SubUsersService#MAX_SUB_USERS} per account. */
        LIMIT_REACHED("sub_user_limit_reached", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
