package io.iploop.server.platform.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.PlatformSecrets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The data source: the external PostgreSQL of {@code IPLOOP_DB_URL} when set, otherwise an embedded
 * PostgreSQL (zonky, {@link EmbeddedDatabase}: password authentication, a non-superuser application
 * role) whose data persists in {@code DATA_DIR/postgres} and which is stopped when the context
 * closes (after the data source, which depends on it).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfig {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfig.class);

    /** Idle connections kept to the embedded PostgreSQL (the pool still grows to 10 under load). */
    static final int EMBEDDED_MINIMUM_IDLE = 1;

    /** How long a connection above {@link #EMBEDDED_MINIMUM_IDLE} may stay idle, ms (Hikari's floor). */
    static final long EMBEDDED_IDLE_TIMEOUT_MS = 10_000;

    /**
     * Age at which a connection to the embedded PostgreSQL is closed (once returned) and replaced if
     * still needed, ms (Hikari's floor). The idle timeout alone does not shrink the pool of an idle
     * server: Hikari hands each thread the connection it used last, so every poller (mail, webhooks,
     * paused nodes, block list, limits) that once met another one keeps its own connection busy
     * once a second and none is ever idle for 10 s; retiring them by age lets them meet on one again.
     */
    static final long EMBEDDED_MAX_LIFETIME_MS = 30_000;

    @Bean(destroyMethod = "close")
    DatabaseServer databaseServer(IploopProperties properties) {
        IploopProperties.Db db = properties.db();
        if (db.external()) {
            return new DatabaseServer(null, db.url(), db.user(), db.password());
        }
        try {
            EmbeddedDatabase.Started db0 = EmbeddedDatabase.start(properties.dataPath(), db.port());
            log.info("Embedded PostgreSQL started on port {} with data in {}", db0.server().getPort(),
                    properties.dataPath().resolve("postgres"));
            return new DatabaseServer(db0.server(), db0.jdbcUrl(), db0.user(), db0.password());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + properties.dataPath().resolve("postgres")
                    + " (set IPLOOP_DB_URL to use an external PostgreSQL)", e);
        }
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseServer server) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("iploop");
        config.setJdbcUrl(server.jdbcUrl());
        if (server.user() != null) {
            config.setUsername(server.user());
        }
        if (server.password() != null) {
            config.setPassword(server.password());
        }
        config.setMaximumPoolSize(10);
        if (server.embedded() != null) {
            // Each idle connection is a PostgreSQL backend process of a few MiB on the same machine:
            // the embedded default keeps one open and opens the rest when load asks for them.
            config.setMinimumIdle(EMBEDDED_MINIMUM_IDLE);
            // Start-up (Flyway, the first jobs) opens more; Hikari's default keeps them 10 min.
            config.setIdleTimeout(EMBEDDED_IDLE_TIMEOUT_MS);
            config.setMaxLifetime(EMBEDDED_MAX_LIFETIME_MS);
            // A loopback connection younger than 30 s needs no keep-alive (Hikari's 2 min would
            // exceed the lifetime and be switched off with a warning).
            config.setKeepaliveTime(0);
        }
        return new HikariDataSource(config);
    }

    /** The database the data source points at; owns the embedded server when there is one. */
    record DatabaseServer(@Nullable EmbeddedPostgres embedded, String jdbcUrl, @Nullable String user,
            @Nullable String password) implements AutoCloseable {

        DatabaseServer {
            if (jdbcUrl == null || jdbcUrl.isBlank()) {
                throw new IllegalArgumentException("jdbcUrl: blank");
            }
        }

        @Override
        public void close() throws IOException {
            if (embedded != null) {
                embedded.close();
                log.info("Embedded PostgreSQL stopped");
            }
        }
    }
}
