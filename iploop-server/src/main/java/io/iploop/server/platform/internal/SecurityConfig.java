package io.iploop.server.platform.internal;

import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.TokenRevocations;
import io.iploop.server.platform.v2.Envelope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Security: stateless JWT for {@code /api/**} (blacklisted tokens refused); public
 * registration, login, password reset and e-mail verification links, locations, plan
 * catalogue, OpenAPI and Swagger UI, health and Prometheus scrape, and {@code /error} (otherwise
 * validation errors forwarded there come back as 403, STACK-NOTES). 401/403 use the JSON error
 * envelope ({@code /api/v2/**}: the v2 envelope). {@code /api/admin/**} and {@code /api/v2/admin/**} are for admins only. After the JWT filter, {@link ApiRateLimitFilter}
 * limits every {@code /api/**} caller ({@code iploop.api-rate-limit-per-minute}, default 600).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, JwtTokens tokens, TokenRevocations revocations, JsonMapper json,
            @Value("${iploop.api-rate-limit-per-minute:600}") int apiRateLimitPerMinute) throws Exception {
        http.csrf(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new JwtAuthenticationFilter(tokens, revocations), AnonymousAuthenticationFilter.class)
                .addFilterAfter(new ApiRateLimitFilter(apiRateLimitPerMinute, json), JwtAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, "/api/auth/register", "/api/auth/login",
                                "/api/auth/forgot-password", "/api/auth/reset-password").permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/auth/verify-reset-token", "/api/auth/verify-email")
                                .permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/proxy/locations", "/api/proxy/locations/**",
                                "/api/plans").permitAll()
                        .requestMatchers("/api/openapi.json", "/api/openapi.json/**", "/swagger-ui.html",
                                "/swagger-ui/**").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll()
                        .requestMatchers("/error", "/").permitAll()
                        .requestMatchers("/actuator/**", "/api/admin/**", "/api/v2/admin/**").hasRole("ADMIN")
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> write(json, req, res, HttpServletResponse.SC_UNAUTHORIZED,
                                ApiError.of("unauthorized", "missing, invalid, expired or revoked bearer token", null)))
                        .accessDeniedHandler((req, res, ex) -> write(json, req, res, HttpServletResponse.SC_FORBIDDEN,
                                ApiError.of("forbidden", "your role does not allow this", null))));
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
