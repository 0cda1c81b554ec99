package io.iploop.server.platform;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.http.ResponseCookie;

/**
 * The dashboard's login cookie: it carries the same JWT the REST API takes as a bearer token
 * (issued by the same login service), so a browser never needs script access to it. HttpOnly,
 * {@code SameSite=Strict}, {@code Secure} when the request came over HTTPS, path {@code /}, and it
 * lives exactly as long as the token. The security filter accepts it on every dashboard page (where
 * CSRF protection applies to state-changing requests) and on safe {@code GET}/{@code HEAD} requests
 * to {@code /api/**} (for downloads such as the usage CSV), never on state-changing API calls, which
 * still need the {@code Authorization} header. Stateless helpers; thread-safe.
 */
public final class WebSessionCookie {

    /** Cookie name. */
    public static final String NAME = "IPLOOP_SESSION";

    private WebSessionCookie() {}

    /** The {@code Set-Cookie} that logs the browser in with {@code token} until {@code expiresAt}. */
    public static ResponseCookie issue(String token, Instant expiresAt, boolean secure) {
        long seconds = Math.max(0, Duration.between(Instant.now(), expiresAt).toSeconds());
        return base(token, secure).maxAge(seconds).build();
    }

    /** The {@code Set-Cookie} that removes the login cookie (logout). */
    public static ResponseCookie clear(boolean secure) {
        return base("", secure).maxAge(0).build();
    }

    /** The JWT in the request's login cookie, if there is a non-blank one. */
    public static Optional<String> read(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return Optional.empty();
        }
        for (Cookie c : cookies) {
            if (NAME.equals(c.getName()) && c.getValue() != null && !c.getValue().isBlank()) {
                return Optional.of(c.getValue());
            }
        }
        return Optional.empty();
    }

    private static ResponseCookie.ResponseCookieBuilder base(String value, boolean secure) {
        return ResponseCookie.from(NAME, value).httpOnly(true).secure(secure).sameSite("Strict").path("/");
    }
}
