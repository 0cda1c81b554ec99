package io.iploop.server.platform.v2;

import io.iploop.server.platform.ApiException;
import org.springframework.http.HttpStatus;

/**
 * A malformed {@code /api/v2} query string: 400 naming the parameter at fault in {@code field}.
 * Codes: {@code invalid_parameter} (bad page, limit, sort, order or fields value) and
 * {@code unknown_parameter} (a filter or parameter the endpoint does not document).
 */
public final class V2QueryException extends ApiException {

    private static final long serialVersionUID = 1L;

    private V2QueryException(String code, String message, String field) {
        super(code, HttpStatus.BAD_REQUEST, message, field);
    }

    /** A documented parameter with a value outside what it accepts. */
    public static V2QueryException invalid(String parameter, String message) {
        return new V2QueryException("invalid_parameter", parameter + ": " + message, parameter);
    }

    /** A parameter the endpoint does not know; {@code expected} lists the ones it does. */
    public static V2QueryException unknown(String parameter, String expected) {
        return new V2QueryException("unknown_parameter",
                "unknown query parameter '" + parameter + "' (expected one of: " + expected + ")", parameter);
    }
}
