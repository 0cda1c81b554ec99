package io.iploop.server.pool;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the upstream pool feature; {@link Reason} maps each to its code and HTTP status. */
public final class PoolException extends ApiException {

    private static final long serialVersionUID = 1L;

    public PoolException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the upstream pool (docs/upstream-pool.md). */
    public enum Reason {
        /** An upstream file or list with bad lines; the message names every bad line (nothing was written). */
        INVALID_UPSTREAMS("invalid_upstreams", HttpStatus.BAD_REQUEST),
        /** More upstreams than free ports in the configured pool port range. */
        POOL_PORTS_EXHAUSTED("pool_ports_exhausted", HttpStatus.CONFLICT),
        /** No upstream on that port. */
        UPSTREAM_NOT_FOUND("upstream_not_found", HttpStatus.NOT_FOUND),
        /** A malformed request field (plan, ports, dates, scopes, mode). */
        INVALID_REQUEST("invalid_request", HttpStatus.BAD_REQUEST),
        /** Unknown pool plan. */
        PLAN_NOT_FOUND("pool_plan_not_found", HttpStatus.NOT_FOUND),
        /** A pool plan with that id exists already. */
        PLAN_EXISTS("pool_plan_exists", HttpStatus.CONFLICT),
        /** Unknown account, or an account without a pool subscription. */
        NOT_FOUND("pool_subscription_not_found", HttpStatus.NOT_FOUND),
        /** Unknown admin API token. */
        TOKEN_NOT_FOUND("admin_token_not_found", HttpStatus.NOT_FOUND);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
