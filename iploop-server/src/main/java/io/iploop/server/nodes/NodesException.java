package io.iploop.server.nodes;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the nodes feature; {@link Reason} maps each to its code and HTTP status. */
public final class NodesException extends ApiException {

    private static final long serialVersionUID = 1L;

    public NodesException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the nodes feature. */
    public enum Reason {
        /** Unknown country code in a locations query. */
        INVALID_COUNTRY("invalid_country", HttpStatus.BAD_REQUEST),
        /** A malformed node-list filter or page (docs/product/nodes.md#node-list-and-filters). */
        INVALID_FILTER("invalid_filter", HttpStatus.BAD_REQUEST),
        /** No node key with that id in the caller's account (another account's key too: 404, never 403). */
        NODE_KEY_NOT_FOUND("node_key_not_found", HttpStatus.NOT_FOUND),
        /** Safety limit on node keys per operator (our own: docs/product/nodes.md#node-api). */
        NODE_KEY_LIMIT_REACHED("node_key_limit_reached", HttpStatus.CONFLICT),
        /** Not one of the caller's devices (or none at all: another tenant's id is 404, never 403). */
        DEVICE_NOT_FOUND("device_not_found", HttpStatus.NOT_FOUND),
        /** A device registration or rename with a malformed field; the field is named. */
        INVALID_DEVICE("invalid_device", HttpStatus.BAD_REQUEST),
        /** The node key of a device registration is unknown, revoked, or its account is not active. */
        INVALID_NODE_KEY("invalid_node_key", HttpStatus.UNAUTHORIZED),
        /** The device id is registered to another operator; nobody can take over a node. */
        DEVICE_TAKEN("device_registered_elsewhere", HttpStatus.CONFLICT),
        /** A ban or quarantine request with a malformed or unknown field; the field is named (docs/moderation.md). */
        INVALID_MODERATION("invalid_moderation", HttpStatus.BAD_REQUEST),
        /** No moderation with that id. */
        MODERATION_NOT_FOUND("moderation_not_found", HttpStatus.NOT_FOUND),
        /**
         * An agent's byte report with a malformed, negative, out-of-bounds or future field; the field
         * is named (docs/operator-transparency.md#agent-byte-reconciliation).
         */
        INVALID_TRAFFIC_REPORT("invalid_traffic_report", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
