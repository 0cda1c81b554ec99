package io.iploop.server.keys;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the API keys feature; {@link Reason} maps each to its code and HTTP status. */
public final class KeysException extends ApiException {

    private static final long serialVersionUID = 1L;

    public KeysException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the API keys feature. */
    public enum Reason {
        /** docs/product/proxy.md#api-keys: at most 5 keys per account. */
        KEY_LIMIT_REACHED("key_limit_reached", HttpStatus.CONFLICT),
        /** Unknown key, or another account's key (never revealed as such: 404, not 403). */
        NOT_FOUND("key_not_found", HttpStatus.NOT_FOUND),
        /** docs/product/proxy.md#api-keys: whitelist entries are IPv4/IPv6 addresses or CIDR ranges, at most 50. */
        INVALID_WHITELIST("invalid_whitelist", HttpStatus.BAD_REQUEST),
        /** An expiry that is not in the future. */
        INVALID_EXPIRY("invalid_expiry", HttpStatus.BAD_REQUEST),
        /** docs/product/proxy.md#key-rotation: a rotated key is already on its way out and cannot be rotated again. */
        ALREADY_ROTATED("key_already_rotated", HttpStatus.CONFLICT),
        /**
         * docs/ip-authorised-access.md: the address or range overlaps one another account authorised
         * for access without credentials (one address belongs to one account).
         */
        IP_ALREADY_AUTHORISED("ip_already_authorised", HttpStatus.CONFLICT),
        /**
         * docs/ip-authorised-access.md: a malformed entry, an invalid default targeting, two entries of
         * the list overlapping, or more than 50 entries; the message names the entry.
         */
        INVALID_IP_AUTHORISATION("invalid_ip_authorisation", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
