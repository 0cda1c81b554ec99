package io.iploop.server.platform.internal;

import io.iploop.server.platform.AdminApiTokens;
import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.LoginSessions;
import io.iploop.server.platform.TokenRevocations;
import io.iploop.server.platform.WebSessionCookie;
import io.iploop.server.platform.v2.Envelope;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.session.NullAuthenticatedSessionStrategy;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Security: stateless JWT for {@code /api/**} (blacklisted tokens and ended sessions
 * refused); public registration, login, password reset and e-mail verification links, locations,
 * plan catalogue, OpenAPI and Swagger UI, health and Prometheus scrape, and {@code /error}
 * (otherwise validation errors forwarded there come back as 403). 401/403 use the
 * JSON error envelope ({@code /api/v2/**}: the v2 envelope). Account-security rules
 * ({@link SecurityRules}): {@code /api/admin/**} and {@code /api/v2/admin/**} are for admins whose
 * token was issued with 2FA (403 {@code two_factor_required} otherwise, docs/product/accounts.md#two-factor-authentication); an account
 * that must change its password gets 403 {@code password_change_required} everywhere except
 * profile, password change, logout and the 2FA endpoints. After the JWT filter,
 * {@link ApiRateLimitFilter} limits every {@code /api/**} caller ({@code iploop.api-rate-limit-per-minute},
 * default 600).
 *
 * <p>A second chain serves everything else: the dashboard pages of the {@code web} feature
 * (docs/product/dashboard.md). They authenticate with the same JWT in the {@link WebSessionCookie}
 * (same checks:
 * revocation, login session), have Spring Security's CSRF protection for every state-changing
 * request (token in a {@code SameSite=Strict} HttpOnly cookie, rendered into forms and the
 * {@code <meta name="_csrf">} that htmx sends as a header), and send an anonymous browser to
 * {@code /login} (an htmx request gets 401 with {@code HX-Redirect}, so the whole page moves rather
 * than a fragment). {@code /admin/**} pages are for admins whose session was opened with 2FA, like
 * {@code /api/admin/**}; an admin without one is sent to the 2FA section of the settings page.
 *
 * <p>Both chains let an {@code ASYNC} dispatch through: it only writes out what a handler authorized
 * on the request's own dispatch returned (a live-pulse stream ending, say), and the stateless JWT
 * filters do not run on it, so Spring Security's default (authorize every dispatch) denied it and
 * turned a stream's normal end into an error page on an already-committed response.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    /** Paths of the REST chain; everything else belongs to the dashboard chain. */
    static final String[] API_PATHS = {"/api/**", "/actuator/**", "/swagger-ui.html", "/swagger-ui/**"};

    /** Dashboard pages anyone may open (docs/product/dashboard.md#public-pages) and static resources. */
    private static final String[] PUBLIC_PAGES = {"/", "/login", "/login/2fa", "/signup", "/register", "/forgot-password", "/reset-password",
        "/verify-email", "/error", "/webjars/**", "/css/**", "/js/**", "/img/**", "/favicon.ico", "/favicon.svg"};

    /** Content-Security-Policy of dashboard pages: nothing but this origin (Alpine's standard build needs eval). */
    private static final String PAGE_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
            + "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http, JwtTokens tokens, TokenRevocations revocations,
            LoginSessions sessions, JsonMapper json, @Value("${iploop.api-rate-limit-per-minute:600}") int apiRateLimitPerMinute,
            ObjectProvider<AdminApiTokens> adminTokens) throws Exception {
        http.securityMatcher(API_PATHS)
                .csrf(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new JwtAuthenticationFilter(tokens, revocations, sessions, false),
                        AnonymousAuthenticationFilter.class)
                .addFilterBefore(new AdminApiTokenFilter(adminTokens, (req, res, status, code, message) ->
                        write(json, req, res, status, ApiError.of(code, message, null))), JwtAuthenticationFilter.class)
                .addFilterAfter(new ApiRateLimitFilter(apiRateLimitPerMinute, json), JwtAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/auth/register", "/api/auth/login",
                                "/api/auth/forgot-password", "/api/auth/reset-password").permitAll()
                        // The node agent authenticates with its node key (X-Node-Key), checked by the earn feature.
                        .requestMatchers(HttpMethod.POST, "/api/earn/devices/register").permitAll()
                        // The agent's byte report: authenticated by its node key like registration.
                        .requestMatchers(HttpMethod.POST, "/api/earn/devices/traffic-report").permitAll()
                        // The public abuse intake (docs/moderation.md#abuse-reports), rate limited by the abuse feature.
                        .requestMatchers(HttpMethod.POST, "/api/abuse").permitAll()
                        // Stripe's webhooks: authenticated by their Stripe-Signature, checked by billing.
                        .requestMatchers(HttpMethod.POST, "/api/billing/webhooks/stripe").permitAll()
                        // The payment-link provider's webhook: authenticated by its HMAC signature, checked by campaigns.
                        .requestMatchers(HttpMethod.POST, "/api/webhooks/payment_provider").permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/auth/verify-reset-token", "/api/auth/verify-email")
                                .permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/proxy/locations", "/api/proxy/locations/**",
                                "/api/plans").permitAll()
                        // The versions of the terms and privacy policy that sign-up accepts (docs/privacy.md#consent).
                        .requestMatchers(HttpMethod.GET, "/api/privacy/policy").permitAll()
                        .requestMatchers("/api/openapi.json", "/api/openapi.json/**", "/swagger-ui.html",
                                "/swagger-ui/**").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll()
                        .requestMatchers("/error", "/").permitAll()
                        // What an account that must change its password (or set up 2FA) can still do.
                        .requestMatchers(HttpMethod.GET, "/api/auth/profile").authenticated()
                        .requestMatchers(HttpMethod.PUT, "/api/auth/password").authenticated()
                        .requestMatchers(HttpMethod.POST, "/api/auth/logout").authenticated()
                        .requestMatchers("/api/auth/2fa/**").authenticated()
                        // goproxy-compatible hooks of the upstream pool: no credentials, loopback peers only
                        // (checked by the pool feature on the socket's own address, docs/upstream-pool.md#goproxy-compatible-hooks).
                        .requestMatchers("/api/internal/pool/**").permitAll()
                        // Admin API tokens with a scope, or a 2FA admin login (docs/upstream-pool.md#admin-api-and-tokens).
                        .requestMatchers(HttpMethod.GET, "/api/admin/pool/**").access(SecurityRules.adminOrScope("pool:read"))
                        .requestMatchers("/api/admin/pool/**").access(SecurityRules.adminOrScope("pool:write"))
                        .requestMatchers("/api/admin/**", "/api/v2/admin/**").access(SecurityRules.adminWithTwoFactor())
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .anyRequest().access(SecurityRules.passwordChanged()))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> write(json, req, res, HttpServletResponse.SC_UNAUTHORIZED,
                                ApiError.of("unauthorized", "missing, invalid, expired or revoked bearer token", null)))
                        .accessDeniedHandler((req, res, ex) -> write(json, req, res, HttpServletResponse.SC_FORBIDDEN,
                                ex instanceof AuthorizationDeniedException d
                                        && d.getAuthorizationResult() instanceof SecurityRules.Denied rule
                                        ? ApiError.of(rule.code, rule.message, null)
                                        : ApiError.of("forbidden", "your role does not allow this", null))));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain pageSecurity(HttpSecurity http, JwtTokens tokens, TokenRevocations revocations,
            LoginSessions sessions) throws Exception {
        CookieCsrfTokenRepository csrfTokens = new CookieCsrfTokenRepository();
        csrfTokens.setCookiePath("/");
        csrfTokens.setCookieCustomizer(c -> c.sameSite("Strict"));
        // No CSRF token rotation on "authentication": with a stateless JWT cookie every request looks
        // like a fresh login to Spring Security, and rotating there would invalidate the token of the
        // page just rendered (its own images and scripts would replace the cookie).
        http.csrf(c -> c.csrfTokenRepository(csrfTokens).sessionAuthenticationStrategy(new NullAuthenticatedSessionStrategy()))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(PAGE_CSP)))
                .addFilterBefore(new JwtAuthenticationFilter(tokens, revocations, sessions, true),
                        AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                        .requestMatchers(PUBLIC_PAGES).permitAll()
                        // The same rule as /api/admin/**: admins whose session was opened with 2FA.
                        .requestMatchers("/admin/**").access(SecurityRules.adminWithTwoFactor())
                        // What an account with a pending one-time password change can still do: the
                        // guided first sign-in, the password and 2FA settings, signing out. Every other
                        // page, like the API, waits for the password change (docs/product/accounts.md#first-admin-sign-in).
                        .requestMatchers(HttpMethod.GET, "/first-sign-in", "/settings").authenticated()
                        .requestMatchers(HttpMethod.POST, "/settings/password", "/settings/2fa/**", "/logout").authenticated()
                        .anyRequest().access(SecurityRules.passwordChanged()))
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> {
                    if (req.getHeader("HX-Request") != null) {
                        res.setHeader("HX-Redirect", "/login");
                        res.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                    } else {
                        res.sendRedirect("/login");
                    }
                }).accessDeniedHandler((req, res, ex) -> {
                    // An admin without a 2FA session is sent to set up 2FA (or sign in again with a
                    // code) rather than shown a bare 403; everyone else gets the 403 error page.
                    String code = ex instanceof AuthorizationDeniedException d
                            && d.getAuthorizationResult() instanceof SecurityRules.Denied rule ? rule.code : "forbidden";
                    switch (code) {
                        case "two_factor_required" -> res.sendRedirect("/settings?twoFactor=required#two-factor");
                        case "password_change_required" -> res.sendRedirect("/first-sign-in");
                        default -> res.sendError(HttpServletResponse.SC_FORBIDDEN);
                    }
                }));
        return http.build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    /** Writes {@code error} in the shape of the request's API version (v2: the envelope). */
    private static void write(JsonMapper json, HttpServletRequest req, HttpServletResponse res, int status, ApiError error)
            throws IOException {
        res.setStatus(status);
        res.setContentType(MediaType.APPLICATION_JSON_VALUE);
        if (status == HttpServletResponse.SC_UNAUTHORIZED) {
            res.setHeader("WWW-Authenticate", "Bearer");
        }
        json.writeValue(res.getOutputStream(),
                Envelope.errorFor(req.getRequestURI().substring(req.getContextPath().length()), error));
    }
}
