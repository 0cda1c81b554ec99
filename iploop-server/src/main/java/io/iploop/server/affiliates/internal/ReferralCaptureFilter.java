package io.iploop.server.affiliates.internal;

import io.iploop.server.earn.EarnService;
import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.SecureTokens;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The one {@code ?ref=} capture of both referral programmes (docs/affiliates.md#one-code-one-capture).
 * Runs after Spring Security, so it knows a signed-in visitor.
 *
 * <ul>
 *   <li>A {@code GET} of a page (not {@code /api/}) with {@code ref=CODE} of an existing code counts one
 *       click per affiliate and visitor cookie, and sets the cookie {@code iploop_ref=CODE.VISITOR}
 *       (90 days, HttpOnly, SameSite=Lax, Secure over HTTPS) unless the visitor already carries a valid
 *       one: the first valid code wins. Unknown codes and the signed-in affiliate's own code do nothing.</li>
 *   <li>A sign-up ({@code POST /signup}, {@code POST /api/auth/register}) of a visitor whose cookie holds a
 *       valid code is seen with {@code ref} set to that code, so the earn feature records the referral as for
 *       a typed code; a cookie whose code no longer exists is ignored.</li>
 * </ul>
 * Stateless; thread-safe.
 */
final class ReferralCaptureFilter extends OncePerRequestFilter {

    /** The visitor cookie's name. */
    static final String COOKIE = "iploop_ref";
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9]{1,64}");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]{1,64})\\.([a-z0-9]{16,32})");

    private final EarnService earn;
    private final AffiliateRepository repo;
    private final AffiliatesSettings settings;

    ReferralCaptureFilter(EarnService earn, AffiliateRepository repo, AffiliatesSettings settings) {
        this.earn = earn;
        this.repo = repo;
        this.settings = settings;
    }

    /** A visitor cookie's content. */
    record Visitor(String code, String visitorId) {}

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Visitor visitor = read(request);
        HttpServletRequest forward = request;
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if ("GET".equals(request.getMethod()) && !path.startsWith("/api/")) {
            String ref = request.getParameter("ref");
            if (ref != null && CODE.matcher(ref.strip()).matches()) {
                click(request, response, ref.strip().toUpperCase(Locale.ROOT), visitor);
            }
        } else if ("POST".equals(request.getMethod()) && ("/signup".equals(path) || "/api/auth/register".equals(path))
                && visitor != null && earn.referralCodeOwner(visitor.code()).isPresent()) {
            forward = new WithRef(request, visitor.code());
        }
        chain.doFilter(forward, response);
    }

    private void click(HttpServletRequest request, HttpServletResponse response, String code, @Nullable Visitor visitor) {
        Optional<UUID> owner = earn.referralCodeOwner(code);
        if (owner.isEmpty() || owner.get().equals(signedIn())) {
            return;
        }
        String visitorId = visitor != null ? visitor.visitorId() : SecureTokens.randomBase32(26);
        repo.recordClick(owner.get(), visitorId);
        if (visitor != null && earn.referralCodeOwner(visitor.code()).isPresent()) {
            return;
        }
        ResponseCookie cookie = ResponseCookie.from(COOKIE, code + "." + visitorId).maxAge(settings.cookieMaxAge())
                .httpOnly(true).sameSite("Lax").secure(request.isSecure()).path("/").build();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
    }

    private static @Nullable UUID signedIn() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a != null && a.getPrincipal() instanceof AuthenticatedUser u ? u.userId() : null;
    }

    /** The request's well-formed visitor cookie, or null. */
    static @Nullable Visitor read(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName())) {
                var m = VALUE.matcher(c.getValue());
                if (m.matches()) {
                    return new Visitor(m.group(1).toUpperCase(Locale.ROOT), m.group(2));
                }
            }
        }
        return null;
    }

    /** The request with its {@code ref} parameter replaced by the cookie's code. */
    private static final class WithRef extends HttpServletRequestWrapper {

        private final String code;

        WithRef(HttpServletRequest request, String code) {
            super(request);
            this.code = code;
        }

        @Override
        public @Nullable String getParameter(String name) {
            return "ref".equals(name) ? code : super.getParameter(name);
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            Map<String, String[]> m = new LinkedHashMap<>(super.getParameterMap());
            m.put("ref", new String[] {code});
            return Collections.unmodifiableMap(m);
        }

        @Override
        public java.util.Enumeration<String> getParameterNames() {
            return Collections.enumeration(getParameterMap().keySet());
        }

        @Override
        public String @Nullable [] getParameterValues(String name) {
            return "ref".equals(name) ? new String[] {code} : super.getParameterValues(name);
        }
    }
}
