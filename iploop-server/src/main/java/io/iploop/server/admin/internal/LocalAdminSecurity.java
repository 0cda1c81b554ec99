package io.iploop.server.admin.internal;

import io.iploop.server.admin.LocalAdminAccess;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The security filter chain of {@code /api/local-admin/**}, ahead of the API chain so the JWT
 * filter never sees these paths: only {@link LocalAdminFilter} authenticates them, and every
 * request needs its authority.
 */
@Configuration(proxyBeanMethods = false)
class LocalAdminSecurity {

    @Bean
    @Order(0)
    SecurityFilterChain localAdminFilterChain(HttpSecurity http, LocalAdminToken token, JsonMapper json) throws Exception {
        http.securityMatcher(LocalAdminAccess.PATH + "/**")
                .csrf(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .anonymous(a -> a.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new LocalAdminFilter(token, json), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasAuthority(LocalAdminFilter.AUTHORITY));
        return http.build();
    }
}
