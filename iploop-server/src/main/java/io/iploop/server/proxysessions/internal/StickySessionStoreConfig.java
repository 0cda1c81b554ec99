package io.iploop.server.proxysessions.internal;

import io.iploop.gateway.spi.StickySessionStore;
import io.iploop.server.platform.IploopProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Chooses where the gateway keeps its sticky-session pins (docs/sticky-sessions-redis.md): in Redis
 * when {@code IPLOOP_REDIS_URL} is set (a clustered deployment), otherwise in PostgreSQL's {@code
 * proxy_sticky_sessions} (the embedded default, which needs no Redis). Exactly one store exists.
 */
@Configuration(proxyBeanMethods = false)
class StickySessionStoreConfig {

    /**
     * The store for the data plane; the Redis one is closed (its connection and threads) when the
     * context closes, after the data plane's last save.
     */
    @Bean
    StickySessionStore stickySessionStore(IploopProperties properties, JdbcClient jdbc, JdbcTemplate template,
            TransactionTemplate tx) {
        IploopProperties.Redis redis = properties.redis();
        String url = redis.url();
        if (url != null) {
            return new RedisStickySessionStore(url, redis.keyPrefix());
        }
        return new JdbcStickySessionStore(jdbc, template, tx);
    }
}
