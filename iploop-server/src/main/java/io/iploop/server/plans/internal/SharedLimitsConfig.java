package io.iploop.server.plans.internal;

import io.iploop.gateway.spi.SharedLimitCounters;
import io.iploop.server.platform.IploopProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateways' shared limit counters (docs/deploy.md#shared-limits): only in a process that runs
 * a gateway with {@code IPLOOP_REDIS_URL} set. Without Redis no bean exists, no Redis client is
 * created, and each gateway counts its own connections and requests (the embedded default).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${iploop.redis.url:}' != '' and ${iploop.gateway-enabled:true}")
class SharedLimitsConfig {

    /** Closed with the context, after the data plane that uses it. */
    @Bean(destroyMethod = "close")
    RedisSharedLimitCounters sharedLimitCounters(IploopProperties properties) {
        IploopProperties.Redis redis = properties.redis();
        return new RedisSharedLimitCounters(java.util.Objects.requireNonNull(redis.url()), redis.keyPrefix());
    }
}
