package io.iploop.server.subusers.internal;

import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.SubUserLimits;
import io.iploop.gateway.spi.SubUserLimitsProvider;
import java.util.HashSet;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link SubUserLimitsProvider} (docs/sub-users.md#limits): the sub-user's own
 * limits, and its remaining bytes as its limit minus the bytes its stored usage records counted in
 * the period ({@code sub_user_traffic}, kept in the usage batch's transaction, so it matches what
 * the gateway has persisted). One indexed query; called off the event loops every few seconds
 * per active sub-user. A sub-user deleted meanwhile gets no bytes (its credentials already stop
 * working within the auth cache window). Thread-safe.
 */
@Component
class JdbcSubUserLimitsProvider implements SubUserLimitsProvider {

    private static final SubUserLimits GONE = new SubUserLimits(0, 0, 0, java.util.Set.of(), false);

    private final SubUserRepository repository;

    JdbcSubUserLimitsProvider(SubUserRepository repository) {
        this.repository = repository;
    }

    @Override
    public SubUserLimits limits(UUID subUserId) {
        return repository.findById(subUserId).map(r -> new SubUserLimits(
                        r.trafficLimitBytes() == null ? AccountLimits.UNLIMITED_BYTES
                                : Math.max(0, r.trafficLimitBytes() - r.usedBytes()),
                        r.requestsPerSecond(), r.requestsPerDay(), new HashSet<>(r.allowedCountries()), r.cityAllowed(),
                        r.maxConcurrentConnections() == null ? 0 : r.maxConcurrentConnections()))
                .orElse(GONE);
    }
}
