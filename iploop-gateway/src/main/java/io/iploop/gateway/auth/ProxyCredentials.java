package io.iploop.gateway.auth;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.HeaderProfile;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.TargetingOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Parsed proxy credentials {@code CUSTOMER_ID:API_KEY[-name-value]*}
 * (docs/product/proxy.md#credentials).
 * The parser is a single left-to-right scan without regular expressions, bounded to
 * {@value #MAX_PASSWORD_CHARS} characters, so hostile input costs linear time. Immutable.
 *
 * @param customerId the proxy user name: the customer's public id
 * @param apiKey {@code iploop_} followed by 48 lower-case hex digits
 * @param targeting the validated parameters
 */
public record ProxyCredentials(String customerId, String apiKey, Targeting targeting) {

    /** Longest accepted password (key plus parameters), in characters. */
    public static final int MAX_PASSWORD_CHARS = 1024;
    /** Longest accepted user name, in characters. */
    public static final int MAX_USERNAME_CHARS = 128;
    /** API key prefix. */
    public static final String KEY_PREFIX = "iploop_";
    /** Hex digits after the prefix. */
    public static final int KEY_HEX_DIGITS = 48;

    /**
     * The parameter names, in documentation order: the plan-gated targeting options
     * ({@link TargetingOption}) first, then the session and exit-quality parameters.
     */
    public static final List<String> PARAMETERS = Stream.concat(
            Arrays.stream(TargetingOption.values()).map(TargetingOption::parameter),
            Stream.of("session", "sesstype", "lifetime", "rotate", "profile", "speed", "latency", "debug")).toList();

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final long MAX_LIFETIME_SECONDS = Duration.ofHours(24).toSeconds();
    private static final int MAX_NAME_CHARS = 64;

    public ProxyCredentials {
        if (customerId.isEmpty()) {
            throw new IllegalArgumentException("customerId: '' (expected: not empty)");
        }
    }

    /** Lower-case hex SHA-256 of the API key, as {@link io.iploop.gateway.spi.ProxyAuthenticator} expects. */
    public String apiKeySha256Hex() {
        return KeyHashes.sha256Hex(apiKey);
    }

    /**
     * Parses user name and password.
     *
     * @throws CredentialException with {@link ProxyError#BAD_CREDENTIALS} for a malformed user
     *     name or key, {@link ProxyError#INVALID_TARGETING} for a bad parameter
     */
    public static ProxyCredentials parse(String username, String password) throws CredentialException {
        checkUsername(username);
        String key = parseApiKey(password);
        Targeting targeting = parseParameters(password, key.length());
        return new ProxyCredentials(username, key, targeting);
    }

    /**
     * Checks the key shape at the start of {@code password} and returns the key, ignoring any
     * parameters after it.
     *
     * @throws CredentialException ({@link ProxyError#BAD_CREDENTIALS}) if the key is malformed
     */
    public static String parseApiKey(String password) throws CredentialException {
        if (password.length() > MAX_PASSWORD_CHARS) {
            throw bad("password: " + password.length() + " characters (expected: at most " + MAX_PASSWORD_CHARS + ")");
        }
        int keyLength = KEY_PREFIX.length() + KEY_HEX_DIGITS;
        if (!password.startsWith(KEY_PREFIX) || password.length() < keyLength
                || (password.length() > keyLength && password.charAt(keyLength) != '-')) {
            throw bad("api key: malformed (expected: " + KEY_PREFIX + " followed by " + KEY_HEX_DIGITS
                    + " lower-case hex digits, then optional -name-value parameters)");
        }
        for (int i = KEY_PREFIX.length(); i < keyLength; i++) {
            char c = password.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw bad("api key: malformed (expected: " + KEY_PREFIX + " followed by " + KEY_HEX_DIGITS
                        + " lower-case hex digits)");
            }
        }
        return password.substring(0, keyLength);
    }

    /**
     * Parses targeting given apart from a key: an IP-authorised address's default targeting or the
     * {@code X-IPLoop-Targeting} header (docs/ip-authorised-access.md), the same {@code name-value}
     * pairs as after the key in a password, without the leading dash (e.g.
     * {@code country-us-session-abc}); blank is no targeting.
     *
     * @throws CredentialException ({@link ProxyError#INVALID_TARGETING}) naming the bad parameter,
     *     or when longer than {@value #MAX_PASSWORD_CHARS} characters
     */
    public static Targeting parseTargeting(String parameters) throws CredentialException {
        String p = parameters.strip();
        if (p.isEmpty()) {
            return Targeting.NONE;
        }
        if (p.length() > MAX_PASSWORD_CHARS) {
            throw invalid("targeting: " + p.length() + " characters (expected: at most " + MAX_PASSWORD_CHARS + ")");
        }
        if (p.charAt(0) == '-') {
            throw invalid("targeting: starts with '-' (expected: name-value pairs such as country-us-session-abc)");
        }
        return parseParameters("-" + p, 0);
    }

    private static void checkUsername(String username) throws CredentialException {
        if (username.isEmpty()) {
            throw new CredentialException(ProxyError.BAD_CREDENTIALS, "username: empty (expected: your customer id)");
        }
        if (username.length() > MAX_USERNAME_CHARS) {
            throw bad("username: " + username.length() + " characters (expected: at most " + MAX_USERNAME_CHARS + ")");
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw bad("username: contains a control, space or non-ASCII character (expected: your customer id)");
            }
        }
    }

    private static Targeting parseParameters(String password, int start) throws CredentialException {
        Builder b = new Builder();
        int pos = start;
        int n = password.length();
        while (pos < n) {
            // password.charAt(pos) == '-'
            int nameStart = pos + 1;
            int nameEnd = indexOfDash(password, nameStart);
            String rawName = password.substring(nameStart, nameEnd);
            if (rawName.isEmpty()) {
                throw invalid("parameter name missing at position " + nameStart
                        + " (expected: -name-value pairs after the api key)");
            }
            String name = rawName.toLowerCase(Locale.ROOT);
            if (!PARAMETERS.contains(name)) {
                throw invalid(quote(rawName) + ": unknown parameter (expected one of: " + String.join(", ", PARAMETERS) + ")");
            }
            if (nameEnd >= n) {
                throw invalid(name + ": missing value (expected: " + expected(name) + ")");
            }
            int valueStart = nameEnd + 1;
            int valueEnd = hyphenatedValueEnd(password, name, valueStart);
            if (valueEnd < 0) {
                valueEnd = indexOfDash(password, valueStart);
            }
            String value = password.substring(valueStart, valueEnd);
            if (value.isEmpty()) {
                throw invalid(name + ": missing value (expected: " + expected(name) + ")");
            }
            b.set(name, value);
            pos = valueEnd;
        }
        return b.build();
    }

    /** {@code per-request} and {@code on-block} contain the separator; match them whole. */
    private static int hyphenatedValueEnd(String s, String name, int valueStart) {
        String candidate = switch (name) {
            case "sesstype" -> "per-request";
            case "rotate" -> "on-block";
            default -> null;
        };
        if (candidate != null && s.regionMatches(true, valueStart, candidate, 0, candidate.length())) {
            int end = valueStart + candidate.length();
            if (end == s.length() || s.charAt(end) == '-') {
                return end;
            }
        }
        return -1;
    }

    private static int indexOfDash(String s, int from) {
        int i = s.indexOf('-', from);
        return i < 0 ? s.length() : i;
    }

    static String expected(String name) {
        return switch (name) {
            case "country" -> "ISO 3166-1 alpha-2 country code such as US or DE";
            case "state", "city" -> "1-64 letters, digits or _ (use _ for spaces), e.g. new_york";
            case "zip" -> "1-16 letters or digits";
            case "asn" -> "a positive autonomous system number such as 7922";
            case "isp" -> "1-64 letters, digits or _";
            case "profile" -> String.join(", ", HeaderProfile.names());
            case "session" -> "1-64 of A-Z, a-z, 0-9 and _";
            case "sesstype" -> "rotating, sticky, per-request or strict";
            case "lifetime" -> "minutes, or a number followed by s or h, > 0";
            case "rotate" -> "request, time, manual or on-block";
            case "speed" -> "fast, medium or a minimum measured throughput in Mbit/s, 1-100000";
            case "latency" -> "low or a maximum measured time to first byte in ms, 1-60000";
            case "debug" -> "1";
            default -> "a value";
        };
    }

    private static CredentialException bad(String message) {
        return new CredentialException(ProxyError.BAD_CREDENTIALS, message);
    }

    private static CredentialException invalid(String message) {
        return new CredentialException(ProxyError.INVALID_TARGETING, message);
    }

    /** The value as shown in messages: quoted, printable ASCII, at most 32 characters. */
    static String quote(String value) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < value.length() && i < 32; i++) {
            char c = value.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        if (value.length() > 32) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }

    /** Collects parameters; each at most once. Not thread-safe. */
    private static final class Builder {
        private final java.util.HashSet<String> seen = new java.util.HashSet<>();
        private @Nullable String country;
        private @Nullable String state;
        private @Nullable String city;
        private @Nullable String zip;
        private @Nullable Integer asn;
        private @Nullable String isp;
        private @Nullable String session;
        private Targeting.@Nullable SessionType sessionType;
        private @Nullable Duration lifetime;
        private Targeting.@Nullable RotateMode rotate;
        private @Nullable String profile;
        private @Nullable Integer speed;
        private @Nullable Integer latency;
        private boolean debug;

        void set(String name, String value) throws CredentialException {
            if (!seen.add(name)) {
                throw invalid(name + ": given more than once (expected: at most once)");
            }
            switch (name) {
                case "country" -> country = country(value);
                case "state" -> state = word(name, value, 64, true);
                case "city" -> city = word(name, value, 64, true);
                case "zip" -> zip = alnum(name, value, 16);
                case "asn" -> asn = positiveInt(name, value, Integer.MAX_VALUE);
                case "isp" -> isp = word(name, value, 64, true);
                case "session" -> session = word(name, value, 64, false);
                case "sesstype" -> sessionType = switch (value.toLowerCase(Locale.ROOT)) {
                    case "rotating" -> Targeting.SessionType.ROTATING;
                    case "sticky" -> Targeting.SessionType.STICKY;
                    case "per-request" -> Targeting.SessionType.PER_REQUEST;
                    case "strict" -> Targeting.SessionType.STICKY_STRICT;
                    default -> throw malformed(name, value);
                };
                case "lifetime" -> lifetime = lifetime(value);
                case "rotate" -> rotate = switch (value.toLowerCase(Locale.ROOT)) {
                    case "request" -> Targeting.RotateMode.REQUEST;
                    case "time" -> Targeting.RotateMode.TIME;
                    case "manual" -> Targeting.RotateMode.MANUAL;
                    case "on-block" -> Targeting.RotateMode.ON_BLOCK;
                    default -> throw malformed(name, value);
                };
                case "profile" -> {
                    String p = word(name, value, 64, true);
                    if (HeaderProfile.named(p) == null) {
                        throw malformed(name, value);
                    }
                    profile = p;
                }
                case "speed" -> speed = switch (value.toLowerCase(Locale.ROOT)) {
                    case "fast" -> Targeting.SPEED_FAST_MBPS;
                    case "medium" -> Targeting.SPEED_MEDIUM_MBPS;
                    default -> positiveInt(name, value, 100_000);
                };
                case "latency" -> latency = value.equalsIgnoreCase("low") ? Targeting.LATENCY_LOW_MILLIS
                        : positiveInt(name, value, 60_000);
                case "debug" -> {
                    if (!value.equals("1")) {
                        throw malformed(name, value);
                    }
                    debug = true;
                }
                default -> throw new IllegalStateException(name);
            }
        }

        Targeting build() {
            Targeting.SessionType type = sessionType;
            if (type == null) {
                // A session id without a type asks for stickiness (as with other providers).
                type = session != null ? Targeting.SessionType.STICKY : Targeting.SessionType.ROTATING;
            }
            return new Targeting(country, state, city, zip, asn, isp, session, type, lifetime, rotate, profile,
                    speed, latency, debug);
        }

        private static String country(String value) throws CredentialException {
            if (value.length() != 2) {
                throw malformed("country", value);
            }
            String upper = value.toUpperCase(Locale.ROOT);
            if (!isAsciiLetter(upper.charAt(0)) || !isAsciiLetter(upper.charAt(1)) || !COUNTRIES.contains(upper)) {
                throw malformed("country", value);
            }
            return upper;
        }

        private static boolean isAsciiLetter(char c) {
            return c >= 'A' && c <= 'Z';
        }

        private static String word(String name, String value, int max, boolean lowerCase) throws CredentialException {
            if (value.length() > max) {
                throw malformed(name, value);
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                if (!ok) {
                    throw malformed(name, value);
                }
            }
            return lowerCase ? value.toLowerCase(Locale.ROOT) : value;
        }

        private static String alnum(String name, String value, int max) throws CredentialException {
            if (value.length() > max) {
                throw malformed(name, value);
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                    throw malformed(name, value);
                }
            }
            return value.toUpperCase(Locale.ROOT);
        }

        private static int positiveInt(String name, String value, int max) throws CredentialException {
            long v = digits(value, 0, value.length());
            if (v <= 0 || v > max) {
                throw malformed(name, value);
            }
            return (int) v;
        }

        /** Parses ASCII digits; -1 if empty, not digits, or more than 10 of them. */
        private static long digits(String s, int from, int to) {
            if (to <= from || to - from > 10) {
                return -1;
            }
            long v = 0;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                v = v * 10 + (c - '0');
            }
            return v;
        }

        private static Duration lifetime(String value) throws CredentialException {
            char last = Character.toLowerCase(value.charAt(value.length() - 1));
            long unitSeconds;
            int end = value.length() - 1;
            switch (last) {
                case 's' -> unitSeconds = 1;
                case 'm' -> unitSeconds = 60;
                case 'h' -> unitSeconds = 3600;
                default -> {
                    unitSeconds = 60;
                    end = value.length();
                }
            }
            long n = digits(value, 0, end);
            if (n <= 0) {
                throw malformed("lifetime", value);
            }
            long seconds = n * unitSeconds;
            if (seconds > MAX_LIFETIME_SECONDS) {
                throw invalid("lifetime: " + quote(value) + " (expected: at most 24h)");
            }
            return Duration.ofSeconds(seconds);
        }

        private static CredentialException malformed(String name, String value) {
            return invalid(name + ": " + quote(value) + " (expected: " + expected(name) + ")");
        }
    }
}
