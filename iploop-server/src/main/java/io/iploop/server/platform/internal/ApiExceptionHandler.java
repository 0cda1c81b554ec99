package io.iploop.server.platform.internal;

import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Renders every error of the REST API as the JSON envelope {@link ApiError}: feature exceptions with
 * their own code and status, validation errors as 400 {@code validation_failed} naming the first
 * offending field (in declaration order), malformed bodies as 400 {@code malformed_request},
 * anything unexpected as 500 {@code internal_error} (logged, details not shown). Unknown paths
 * outside {@code /api} and {@code /actuator} get the dashboard's error page instead.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> feature(ApiException e) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(e.status());
        @Nullable Long retryAfter = e.retryAfterSeconds();
        if (retryAfter != null) {
            answer.header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        }
        return answer.body(ApiError.of(e.code(), e.getMessage(), e.field()));
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ApiError> invalidBody(MethodArgumentNotValidException e) {
        List<FieldError> errors = new ArrayList<>(e.getBindingResult().getFieldErrors());
        @Nullable Object target = e.getBindingResult().getTarget();
        if (target != null && target.getClass().isRecord()) {
            List<String> order = new ArrayList<>();
            for (RecordComponent c : target.getClass().getRecordComponents()) {
                order.add(c.getName());
            }
            errors.sort(Comparator.comparingInt(f -> {
                int i = order.indexOf(f.getField());
                return i < 0 ? Integer.MAX_VALUE : i;
            }));
        }
        if (errors.isEmpty()) {
            return badRequest("validation_failed", "invalid request", null);
        }
        FieldError first = errors.getFirst();
        return badRequest("validation_failed", first.getField() + ": " + first.getDefaultMessage(), first.getField());
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<ApiError> invalidParameter(HandlerMethodValidationException e) {
        var results = e.getParameterValidationResults();
        if (results.isEmpty()) {
            return badRequest("validation_failed", "invalid request", null);
        }
        var result = results.getFirst();
        String name = result.getMethodParameter().getParameterName();
        String message = result.getResolvableErrors().isEmpty() ? "invalid"
                : result.getResolvableErrors().getFirst().getDefaultMessage();
        return badRequest("validation_failed", name + ": " + message, name);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> typeMismatch(MethodArgumentTypeMismatchException e) {
        return badRequest("validation_failed", e.getName() + ": invalid value '" + e.getValue() + "'", e.getName());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiError> missingParameter(MissingServletRequestParameterException e) {
        return badRequest("validation_failed", e.getParameterName() + ": required", e.getParameterName());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e) {
        return badRequest("malformed_request", "request body is missing or is not valid JSON", null);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .body(ApiError.of("unsupported_media_type", "send application/json", null));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
                .body(ApiError.of("method_not_allowed", e.getMethod() + " is not supported here", null));
    }

    /**
     * An unknown path: the JSON envelope under {@code /api/**}, else the dashboard's error page, since
     * a person typed or followed that link.
     */
    @ExceptionHandler(NoResourceFoundException.class)
    Object notFound(NoResourceFoundException e, HttpServletRequest request) {
        if (!request.getRequestURI().startsWith("/api/") && !request.getRequestURI().startsWith("/actuator/")) {
            return new ModelAndView("error", Map.of("status", 404, "message", "This page does not exist."), HttpStatus.NOT_FOUND);
        }
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(ApiError.of("not_found", "no such resource", null));
    }

    /**
     * A client that went away during an asynchronous response (a live-pulse stream whose tab was
     * closed): nothing can be written to it and nothing went wrong. Spring's own resolver would drop
     * it quietly, but {@link #unexpected} comes first and logged it as an error, then failed to write
     * JSON into the event stream. Taking the response marks the request handled.
     */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e, HttpServletResponse response) {
        log.debug("client gone during an asynchronous response: {}", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> unexpected(Exception e) {
        if (e instanceof org.springframework.web.ErrorResponse known) {
            HttpStatus status = HttpStatus.resolve(known.getStatusCode().value());
            if (status != null && status.is4xxClientError()) {
                return ResponseEntity.status(status).body(ApiError.of(
                        status.name().toLowerCase(java.util.Locale.ROOT), status.getReasonPhrase(), null));
            }
        }
        log.error("Unexpected error in REST API", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(ApiError.of("internal_error", "unexpected server error", null));
    }

    private static ResponseEntity<ApiError> badRequest(String code, String message, @Nullable String field) {
        return ResponseEntity.badRequest().body(ApiError.of(code, message, field));
    }
}
