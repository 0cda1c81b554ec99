package io.iploop.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What one {@code iploop server} process runs (docs/deploy.md#cluster). {@link #ALL} is the
 * embedded default: every part in one process, nothing shared. The cluster roles are Spring
 * profiles of the same application ({@code application-control-plane.properties},
 * {@code application-gateway.properties}) and share their state through an external PostgreSQL
 * ({@code IPLOOP_DB_URL}) and Redis ({@code IPLOOP_REDIS_URL}), which they refuse to start
 * without. Immutable.
 */
public enum ServerRole {

    /** Control plane, gateway and node hub in one process; embedded PostgreSQL unless IPLOOP_DB_URL is set. */
    ALL("all", null),
    /** REST API, dashboard, scheduled jobs (ShedLock keeps each single-run); no proxy listeners, no node hub. */
    CONTROL_PLANE("control-plane", "control-plane"),
    /** Proxy listeners and the node hub with their SPI implementations; over HTTP only health and metrics; no jobs. */
    GATEWAY("gateway", "gateway");

    private final String option;
    private final @Nullable String profile;

    ServerRole(String option, @Nullable String profile) {
        this.option = option;
        this.profile = profile;
    }

    /** The value of {@code --role}. */
    public String option() {
        return option;
    }

    /** The Spring profile that selects the role's configuration, null for {@link #ALL}. */
    public @Nullable String profile() {
        return profile;
    }

    /** The role named {@code value} (case-insensitive), empty for an unknown name. */
    public static Optional<ServerRole> parse(@Nullable String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (ServerRole r : values()) {
            if (r.option.equals(v)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * Why this role cannot start with the given configuration, or null when it can: a cluster role
     * needs the shared database ({@code IPLOOP_DB_URL} or {@code -Diploop.db.url}) and the shared
     * Redis ({@code IPLOOP_REDIS_URL} or {@code -Diploop.redis.url}); an embedded PostgreSQL or
     * in-memory limits would silently split the cluster.
     *
     * @param env environment variables by name (null when unset)
     * @param systemProperties system properties by name (null when unset)
     */
    public @Nullable String missingSharedState(UnaryOperator<@Nullable String> env,
            UnaryOperator<@Nullable String> systemProperties) {
        if (this == ALL) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        if (blank(env.apply("IPLOOP_DB_URL")) && blank(systemProperties.apply("iploop.db.url"))) {
            missing.add("IPLOOP_DB_URL (the shared PostgreSQL, jdbc:postgresql://host:5432/iploop)");
        }
        if (blank(env.apply("IPLOOP_REDIS_URL")) && blank(systemProperties.apply("iploop.redis.url"))) {
            missing.add("IPLOOP_REDIS_URL (the shared Redis, redis://host:6379)");
        }
        return missing.isEmpty() ? null
                : "--role=" + option + " runs as part of a cluster and needs " + String.join(" and ", missing)
                        + "; to run everything in one process use 'iploop server' (docs/deploy.md#cluster)";
    }

    private static boolean blank(@Nullable String s) {
        return s == null || s.isBlank();
    }
}
