package io.iploop.gateway.error;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.AuthResult;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import org.jspecify.annotations.Nullable;

/**
 * Every cause of a refused or failed proxy request, with what each listener answers
 * (docs/product/proxy.md#error-responses):
 * the HTTP status, the stable {@code X-IPLoop-Error} code (also stored as the usage record's
 * error), the RFC 9209 §2.3 {@code Proxy-Status} error type and the RFC 1928 §6 SOCKS5 reply
 * code. Immutable.
 */
public enum ProxyError {
    /** 407: the proxy request carried no (Basic) credentials. */
    MISSING_CREDENTIALS(407, "missing_credentials", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 407: unknown customer, unknown/disabled key, malformed key, or a key of another customer. */
    BAD_CREDENTIALS(407, "bad_credentials", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: the client IP is not on the key's or account's whitelist. */
    IP_NOT_WHITELISTED(403, "ip_not_whitelisted", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /**
     * 403: a trial account whose e-mail is not verified yet (docs/product/accounts.md#trial-accounts);
     * the message says how to verify it.
     */
    EMAIL_NOT_VERIFIED(403, "email_not_verified", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: the account must change its one-time password before its keys work. */
    PASSWORD_CHANGE_REQUIRED(403, "password_change_required", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 402: balance or quota exhausted. */
    PAYMENT_REQUIRED(402, "payment_required", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 402: the account's GB balance or the plan's included GB for the period is used up. */
    BALANCE_EXHAUSTED(402, "balance_exhausted", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /**
     * 402: the account's subscription has passed its end without being renewed
     * ({@link AccountHold#SUBSCRIPTION_EXPIRED}).
     */
    SUBSCRIPTION_EXPIRED(402, "subscription_expired", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 429: more requests per second than the plan allows; the HTTP answer carries {@code Retry-After}. */
    RATE_LIMITED(429, "rate_limited", "connection_limit_reached", Socks5CommandStatus.FORBIDDEN),
    /** 429: the plan's concurrent connections are all open; with {@code Retry-After}. */
    CONCURRENCY_LIMITED(429, "concurrency_limited", "connection_limit_reached", Socks5CommandStatus.FORBIDDEN),
    /** 429: the plan's requests per UTC day are used up; {@code Retry-After} points at 00:00 UTC. */
    DAILY_LIMIT_REACHED(429, "daily_limit_reached", "connection_limit_reached", Socks5CommandStatus.FORBIDDEN),
    /** 403: a targeting option (or sticky sessions) the plan does not include; the message names it. */
    TARGETING_NOT_IN_PLAN(403, "targeting_not_in_plan", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 400: a malformed or unknown targeting parameter in the password. */
    INVALID_TARGETING(400, "invalid_targeting", "http_request_error", Socks5CommandStatus.FAILURE),
    /** 400: a request the proxy cannot handle (origin-form, malformed, oversized headers). */
    BAD_REQUEST(400, "bad_request", "http_request_error", Socks5CommandStatus.FAILURE),
    /** 400: the destination host or port is malformed (control bytes, bad characters, port 0); the message names it. */
    INVALID_TARGET(400, "invalid_target", "http_request_error", Socks5CommandStatus.FAILURE),
    /** 408: the request head (or SOCKS5 handshake) was not complete within the header deadline. */
    REQUEST_TIMEOUT(408, "request_timeout", "http_request_error", Socks5CommandStatus.FAILURE),
    /** 503: the gateway is overloaded (a bounded queue is full); retry shortly. */
    OVERLOADED(503, "overloaded", "proxy_internal_error", Socks5CommandStatus.FAILURE),
    /**
     * 403: the destination is forbidden by the egress policy or blocklist
     * (docs/security.md#exits-the-data-plane).
     */
    TARGET_FORBIDDEN(403, "target_forbidden", "destination_ip_prohibited", Socks5CommandStatus.FORBIDDEN),
    /** 503: no connected exit matches the targeting; alternatives in {@code X-IPLoop-Alternatives}. */
    NO_MATCHING_EXIT(503, "no_matching_exit", "destination_unavailable", Socks5CommandStatus.HOST_UNREACHABLE),
    /** 502: the exit could not connect to the target. */
    EXIT_CONNECT_FAILED(502, "exit_connect_failed", "connection_refused", Socks5CommandStatus.CONNECTION_REFUSED),
    /** 502: the target's name does not exist at the exit (RFC 9209 §2.3.2, rcode NXDOMAIN). */
    EXIT_DNS_NXDOMAIN(502, "exit_dns_nxdomain", "dns_error", Socks5CommandStatus.HOST_UNREACHABLE, "NXDOMAIN"),
    /** 502: the exit's resolver failed (RFC 9209 §2.3.2, rcode SERVFAIL). */
    EXIT_DNS_FAILED(502, "exit_dns_failed", "dns_error", Socks5CommandStatus.HOST_UNREACHABLE, "SERVFAIL"),
    /** 502: the exit has no route to the target (RFC 9209 §2.3.5). */
    EXIT_UNREACHABLE(502, "exit_unreachable", "destination_ip_unroutable", Socks5CommandStatus.HOST_UNREACHABLE),
    /** 504: the exit did not answer in time. */
    EXIT_TIMEOUT(504, "exit_timeout", "connection_timeout", Socks5CommandStatus.TTL_EXPIRED),
    /** 502: the exit stream closed before a complete response arrived. */
    EXIT_CLOSED(502, "exit_closed", "http_response_incomplete", Socks5CommandStatus.FAILURE),
    /** 502: the target sent a response that is not valid HTTP/1.x. */
    BAD_RESPONSE(502, "bad_response", "http_protocol_error", Socks5CommandStatus.FAILURE),
    /**
     * 503: usage cannot be recorded (the usage store is unreachable and the local usage journal is
     * nearly full), so nothing new is carried unmetered (docs/operations.md#usage-journal).
     */
    METERING_UNAVAILABLE(503, "metering_unavailable", "proxy_internal_error", Socks5CommandStatus.FAILURE),
    /** 503: the credential store could not be reached; retry shortly. */
    AUTH_UNAVAILABLE(503, "auth_unavailable", "proxy_internal_error", Socks5CommandStatus.FAILURE),
    /** 500: a bug or an unexpected failure in the gateway. */
    INTERNAL_ERROR(500, "internal_error", "proxy_internal_error", Socks5CommandStatus.FAILURE),
    /**
     * The TLS handshake with the customer failed on a TLS listener (plain text on a TLS port, an
     * untrusted certificate, no ClientHello in time; docs/tls.md#errors). No answer can reach such a
     * client: the connection is closed and only {@code iploop.gateway.errors} counts it; the RFC 9209
     * type is {@code tls_protocol_error} wherever a {@code Proxy-Status} names it.
     */
    TLS_HANDSHAKE_FAILED(400, "tls_handshake_failed", "tls_protocol_error", Socks5CommandStatus.FAILURE),
    /**
     * 503: the exit of a live {@code sesstype-strict} session left (or is paused or failing); a strict
     * session never moves to another exit (docs/product/proxy.md#sessions). The customer closes the
     * session or lets it expire to get a new exit.
     */
    SESSION_EXIT_GONE(503, "session_exit_gone", "destination_unavailable", Socks5CommandStatus.HOST_UNREACHABLE),
    /**
     * 402: the sub-user's own traffic limit is used up (docs/sub-users.md#limits); the parent account
     * and its other sub-users keep working.
     */
    SUB_USER_LIMIT_REACHED(402, "sub_user_limit_reached", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: the sub-user has passed its expiry (docs/sub-users.md#credentials). */
    SUB_USER_EXPIRED(403, "sub_user_expired", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: targeting the account owner did not allow this sub-user (a country, or city targeting); the message names it. */
    TARGETING_NOT_ALLOWED(403, "targeting_not_allowed", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /**
     * 402: targeting beyond the plan is paid from prepaid credits, and they no longer cover it
     * (docs/billing.md#time-based-targeting); targeting the plan includes keeps working.
     */
    CREDITS_EXHAUSTED(402, "credits_exhausted", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: the account has no upstream-pool plan (docs/upstream-pool.md#limits). */
    POOL_ACCESS_DENIED(403, "pool_access_denied", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: the account's pool plan does not grant this pool port (docs/upstream-pool.md#limits). */
    POOL_PORT_NOT_GRANTED(403, "pool_port_not_granted", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 403: the account's pool access has passed its expiry date (docs/upstream-pool.md#limits). */
    POOL_EXPIRED(403, "pool_expired", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 402: the account's pool data quota is used up (docs/upstream-pool.md#limits). */
    POOL_QUOTA_EXHAUSTED(402, "pool_quota_exhausted", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /** 429: the account holds as many pool sockets as its plan's threads; with {@code Retry-After}. */
    POOL_THREADS_EXCEEDED(429, "pool_threads_exceeded", "connection_limit_reached", Socks5CommandStatus.FORBIDDEN),
    /** 429: more pool requests per second than the plan allows (the account's or one client IP's); with {@code Retry-After}. */
    POOL_RATE_LIMITED(429, "pool_rate_limited", "connection_limit_reached", Socks5CommandStatus.FORBIDDEN),
    /** 429: one client IP holds as many pool sockets as the plan allows per IP; with {@code Retry-After}. */
    POOL_IP_CONNECTIONS_EXCEEDED(429, "pool_ip_connections_exceeded", "connection_limit_reached",
            Socks5CommandStatus.FORBIDDEN),
    /**
     * 403: the account stayed above its pool thread limit for too long and is locked out of the pool
     * until the time in the message and in {@code Retry-After} (docs/upstream-pool.md#strike-system).
     */
    LOCKED_OUT(403, "locked_out", "http_request_denied", Socks5CommandStatus.FORBIDDEN),
    /**
     * 503: the pool port's upstream failed its health checks (docs/upstream-pool.md#health); the
     * reason is in {@code Proxy-Status}.
     */
    UPSTREAM_UNAVAILABLE(503, "upstream_unavailable", "destination_unavailable", Socks5CommandStatus.HOST_UNREACHABLE);

    private final HttpResponseStatus status;
    private final String code;
    private final String proxyStatusError;
    private final Socks5CommandStatus socksReply;
    private final @Nullable String dnsRcode;

    ProxyError(int status, String code, String proxyStatusError, Socks5CommandStatus socksReply) {
        this(status, code, proxyStatusError, socksReply, null);
    }

    ProxyError(int status, String code, String proxyStatusError, Socks5CommandStatus socksReply, @Nullable String dnsRcode) {
        this.status = HttpResponseStatus.valueOf(status);
        this.code = code;
        this.proxyStatusError = proxyStatusError;
        this.socksReply = socksReply;
        this.dnsRcode = dnsRcode;
    }

    /** HTTP status of the proxy's answer. */
    public HttpResponseStatus status() {
        return status;
    }

    /** Stable machine-readable code for {@code X-IPLoop-Error} and usage records. */
    public String code() {
        return code;
    }

    /** RFC 9209 §2.3 error type for the {@code Proxy-Status} header. */
    public String proxyStatusError() {
        return proxyStatusError;
    }

    /** For {@code dns_error}: the RFC 9209 §2.3.2 {@code rcode} parameter (an RFC 8499 RCODE name); else null. */
    public @Nullable String dnsRcode() {
        return dnsRcode;
    }

    /** RFC 1928 §6 reply code for a SOCKS5 CONNECT that fails for this reason. */
    public Socks5CommandStatus socksReply() {
        return socksReply;
    }

    /** The error for an exit failure (ExitConnector contract). */
    public static ProxyError of(ExitException.Failure failure) {
        return switch (failure) {
            case NO_MATCHING_EXIT -> NO_MATCHING_EXIT;
            case CONNECT_FAILED -> EXIT_CONNECT_FAILED;
            case DNS_NAME_NOT_FOUND -> EXIT_DNS_NXDOMAIN;
            case DNS_SERVER_FAILURE -> EXIT_DNS_FAILED;
            case UNREACHABLE -> EXIT_UNREACHABLE;
            case TIMEOUT -> EXIT_TIMEOUT;
            case FORBIDDEN_TARGET -> TARGET_FORBIDDEN;
            case SESSION_EXIT_GONE -> SESSION_EXIT_GONE;
            case UPSTREAM_UNAVAILABLE -> UPSTREAM_UNAVAILABLE;
        };
    }

    /** The error for an account on hold (LimitsProvider contract). */
    public static ProxyError of(AccountHold hold) {
        return switch (hold) {
            case EMAIL_NOT_VERIFIED -> EMAIL_NOT_VERIFIED;
            case PASSWORD_CHANGE_REQUIRED -> PASSWORD_CHANGE_REQUIRED;
            case SUBSCRIPTION_EXPIRED -> SUBSCRIPTION_EXPIRED;
        };
    }

    /** The error for a credential rejection (ProxyAuthenticator contract). */
    public static ProxyError of(AuthResult.RejectReason reason) {
        return switch (reason) {
            case BAD_CREDENTIALS -> BAD_CREDENTIALS;
            case IP_NOT_WHITELISTED -> IP_NOT_WHITELISTED;
            case PAYMENT_REQUIRED -> PAYMENT_REQUIRED;
            case SUB_USER_EXPIRED -> SUB_USER_EXPIRED;
        };
    }
}
