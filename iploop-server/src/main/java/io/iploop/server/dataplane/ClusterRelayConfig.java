package io.iploop.server.dataplane;

import io.iploop.server.platform.IploopProperties;
import java.util.Objects;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cluster's node directory (docs/deploy.md#node-directory): only in a process that runs a
 * gateway with {@code IPLOOP_REDIS_URL} set. Without Redis no bean exists, no Redis client is
 * created, and the gateway selects among its own nodes only (the embedded default).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${iploop.redis.url:}' != '' and ${iploop.gateway-enabled:true}")
class ClusterRelayConfig {

    /** Closed with the context, after the data plane that uses it (which removes its nodes first). */
    @Bean(destroyMethod = "close")
    RedisNodeDirectory redisNodeDirectory(IploopProperties properties) {
        IploopProperties.Redis redis = properties.redis();
        return new RedisNodeDirectory(Objects.requireNonNull(redis.url()), redis.keyPrefix());
    }
}
