package io.iploop.server.pool.internal;

import io.iploop.gateway.spi.PoolAccessProvider;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.PoolUpstreamSource;
import io.iploop.server.platform.AdminApiTokens;
import io.iploop.server.platform.AdminTokenPrincipal;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The pool's beans for other parts of the platform: the gateway's {@link PoolUpstreamSource} (bean
 * {@code poolUpstreamSource}: every row of {@code pool_upstreams}, passwords unsealed) and
 * {@link PoolAccessProvider} (bean {@code poolAccessProvider}: {@link DefaultPoolService#access}),
 * and the security chain's {@link AdminApiTokens} (bean {@code poolAdminApiTokens}). All read the
 * database on each call (the gateway caches); thread-safe.
 */
@Configuration(proxyBeanMethods = false)
class PoolGatewayBeans {

    @Bean
    PoolUpstreamSource poolUpstreamSource(DefaultPoolService pool) {
        return new PoolUpstreamSource() {
            @Override
            public List<PoolUpstream> upstreams() {
                return pool.upstreamsWithSecrets();
            }

            @Override
            public String toString() {
                return "poolUpstreamSource (pool_upstreams)";
            }
        };
    }

    @Bean
    PoolAccessProvider poolAccessProvider(DefaultPoolService pool) {
        return new PoolAccessProvider() {
            @Override
            public @Nullable PoolGrant grant(UUID userId) {
                return pool.access(userId);
            }

            @Override
            public String toString() {
                return "poolAccessProvider (pool_subscriptions, pool_plans, usage)";
            }
        };
    }

    @Bean
    AdminApiTokens poolAdminApiTokens(DefaultPoolService pool) {
        return token -> {
            if (!token.startsWith(AdminApiTokens.PREFIX) || token.length() > 100) {
                return Optional.empty();
            }
            return pool.useToken(token).map(t -> new AdminTokenPrincipal(t.id(), t.createdBy(), t.scopes()));
        };
    }
}
