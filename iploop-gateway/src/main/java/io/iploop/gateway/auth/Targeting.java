package io.iploop.gateway.auth;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The targeting and session parameters a customer appended to the API key in the proxy password
 * ({@code API_KEY-country-de-city-berlin-session-abc-sesstype-sticky}, DESIGN §3, docs/product/proxy.md#credentials).
 * Already validated: country is upper-case ISO-3166 alpha-2, city/state lower-case with
 * {@code _} for spaces, session 1-64 of {@code [A-Za-z0-9_]}. Immutable.
 *
 * @param asn autonomous system number, null when not targeted
 * @param lifetime sticky-session lifetime; null means the default (30 min), capped by plan
 * @param minSpeedMbps minimum node speed in Mbit/s, null when not set
 * @param maxLatencyMillis maximum node latency in ms, null when not set
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

    /** No targeting: any exit, rotating. */
    public static final Targeting NONE =
            new Targeting(null, null, null, null, null, null, null, SessionType.ROTATING, null, null, null, null, null, false);

    /** A copy with another sticky-session lifetime (e.g. capped by the customer's plan). */
    public Targeting withLifetime(@Nullable Duration newLifetime) {
        return new Targeting(country, state, city, zip, asn, isp, session, sessionType, newLifetime, rotate, profile,
                minSpeedMbps, maxLatencyMillis, debug);
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
        PER_REQUEST
    }

    /** Rotation modes of docs/product/proxy.md#rotation / DESIGN §3. */
    public enum RotateMode {
        REQUEST, TIME, MANUAL, ON_BLOCK
    }
}
