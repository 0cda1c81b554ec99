package io.iploop.gateway.routing;

import io.iploop.gateway.spi.TargetingOption;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The targeting and session parameters a customer appended to the API key in the proxy password
 * ({@code API_KEY-country-de-city-berlin-session-abc-sesstype-sticky},
 * docs/product/proxy.md#targeting-parameters).
 * Already validated: country is upper-case ISO-3166 alpha-2, city/state lower-case with
 * {@code _} for spaces, session 1-64 of {@code [A-Za-z0-9_]}. Immutable.
 *
 * @param asn autonomous system number, null when not targeted
 * @param lifetime sticky-session lifetime; null means the default ({@link #stickyLifetime()}), capped by plan
 * @param isp ISP name, lower case (matched normalised, docs/exit-quality.md#targeting), null when not targeted
 * @param zip postal code, upper case, null when not targeted
 * @param profile a {@link HeaderProfile} name applied to plain-HTTP requests, lower case, null when not set
 * @param minSpeedMbps least measured node throughput in Mbit/s ({@code speed-fast} is
 *     {@link #SPEED_FAST_MBPS}, {@code speed-medium} {@link #SPEED_MEDIUM_MBPS}), null when not set
 * @param maxLatencyMillis most measured node time to first byte in ms ({@code latency-low} is
 *     {@link #LATENCY_LOW_MILLIS}), null when not set
 */
public record Targeting(
        @Nullable String country,
        @Nullable String state,
        @Nullable String city,
        @Nullable String zip,
        @Nullable Integer asn,
        @Nullable String isp,
        @Nullable String session,
        SessionType sessionType,
        @Nullable Duration lifetime,
        @Nullable RotateMode rotate,
        @Nullable String profile,
        @Nullable Integer minSpeedMbps,
        @Nullable Integer maxLatencyMillis,
        boolean debug) {

    /** {@code speed-fast}: a measured throughput of at least this, Mbit/s (docs/exit-quality.md#targeting). */
    public static final int SPEED_FAST_MBPS = 10;

    /** {@code speed-medium}: a measured throughput of at least this, Mbit/s (docs/exit-quality.md#targeting). */
    public static final int SPEED_MEDIUM_MBPS = 2;

    /** {@code latency-low}: a measured time to first byte of at most this, ms (docs/exit-quality.md#targeting). */
    public static final int LATENCY_LOW_MILLIS = 500;

    /** Sticky-session lifetime when the customer gives none (30 minutes, as other providers). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(30);

    /** {@code rotate-manual} without a {@code lifetime} keeps a session this long at most. */
    public static final Duration MANUAL_LIFETIME = Duration.ofHours(24);

    /** No targeting: any exit, rotating. */
    public static final Targeting NONE =
            new Targeting(null, null, null, null, null, null, null, SessionType.ROTATING, null, null, null, null, null, false);

    /** A copy with another sticky-session lifetime (e.g. capped by the customer's plan). */
    public Targeting withLifetime(@Nullable Duration newLifetime) {
        return new Targeting(country, state, city, zip, asn, isp, session, sessionType, newLifetime, rotate, profile,
                minSpeedMbps, maxLatencyMillis, debug);
    }

    /** Whether the customer targeted by {@code option} (a plan may or may not include it). */
    public boolean targets(TargetingOption option) {
        return switch (option) {
            case COUNTRY -> country != null;
            case STATE -> state != null;
            case CITY -> city != null;
            case ZIP -> zip != null;
            case ASN -> asn != null;
            case ISP -> isp != null;
        };
    }

    /**
     * How long a session's exit is kept: {@link #lifetime()} when given, else
     * {@link #MANUAL_LIFETIME} for {@code rotate-manual}, else {@link #DEFAULT_LIFETIME}. The
     * plan's cap is applied once, at admission ({@code limits.AccountLimiter#capLifetime}).
     */
    public Duration stickyLifetime() {
        if (lifetime != null) {
            return lifetime;
        }
        return rotate == RotateMode.MANUAL ? MANUAL_LIFETIME : DEFAULT_LIFETIME;
    }

    /**
     * True if every request needs its own exit: {@code sesstype-per-request} or
     * {@code rotate-request}.
     */
    public boolean exitPerRequest() {
        return sessionType == SessionType.PER_REQUEST || rotate == RotateMode.REQUEST;
    }

    /** Session types of docs/product/proxy.md#sessions. */
    public enum SessionType {
        /** A new exit per connection (the default). */
        ROTATING,
        /** The same exit for the session id within its lifetime. */
        STICKY,
        /** Explicitly a different exit for every request. */
        PER_REQUEST,
        /**
         * {@code sesstype-strict}: sticky, but never moved: while the session is live and its exit
         * cannot serve it (the node left, is paused or failing), requests fail with 503
         * {@code session_exit_gone} instead of moving to another exit (docs/product/proxy.md#sessions).
         */
        STICKY_STRICT;

        /** Whether a session id keeps its exit: {@link #STICKY} or {@link #STICKY_STRICT}. */
        public boolean sticky() {
            return this == STICKY || this == STICKY_STRICT;
        }
    }

    /**
     * Rotation modes of docs/product/proxy.md#rotation. {@code ON_BLOCK} retries a blocked
     * plain-HTTP request once through another node (docs/rotate-on-block.md).
     */
    public enum RotateMode {
        REQUEST, TIME, MANUAL, ON_BLOCK
    }
}
