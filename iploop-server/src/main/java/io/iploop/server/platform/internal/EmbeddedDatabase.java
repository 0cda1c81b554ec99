package io.iploop.server.platform.internal;

import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.platform.SecureTokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded PostgreSQL (zonky) so that a local user of the machine cannot log in to it
 * ({@code docs/security.md}): it listens on loopback only, {@code pg_hba.conf} asks every
 * connection for a password (scram-sha-256), the superuser {@code postgres} has a generated
 * password, and the application connects as {@value #APP_ROLE}, a role without superuser rights
 * that owns the schema (Flyway runs as it). Both passwords are generated on first start and kept in
 * the data directory (mode 600).
 *
 * <p>A data directory from before (trust authentication, objects owned by {@code postgres}) is
 * migrated on its next start: while the old trust rules still apply the passwords are set, the role
 * is created and given the schema's objects, and only then are the password rules written and
 * loaded; a marker file in the database directory records that this happened. After a crash of the
 * server the previous run's postmaster is stopped, or its stale pid file removed, first
 * ({@link StalePostmaster}). Not thread-safe: one start at a time.
 */
final class EmbeddedDatabase {

    /** The application's role. */
    static final String APP_ROLE = "iploop";
    /** File in the data directory holding the superuser's password. */
    static final String SUPERUSER_PASSWORD_FILE = "postgres-superuser.password";
    /** File in the data directory holding {@value #APP_ROLE}'s password. */
    static final String APP_PASSWORD_FILE = "postgres.password";
    /** Marker in the database directory: password authentication is in force. */
    static final String SECURED_MARKER = "iploop-password-auth";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    /** Only password logins, over TCP and the Unix socket alike. */
    private static final String PG_HBA = """
            # Written by IPLoop (docs/security.md): every connection needs a password.
            local   all   all                 scram-sha-256
            host    all   all   127.0.0.1/32  scram-sha-256
            host    all   all   ::1/128       scram-sha-256
            """;

    private EmbeddedDatabase() {
    }

    /** The started server and the credentials of {@value #APP_ROLE}. */
    record Started(EmbeddedPostgres server, String jdbcUrl, String user, String password) {}

    /**
     * Starts (and on the first start creates) the database in {@code dataDir/postgres}.
     *
     * @param port a fixed port, or 0 for a free one
     * @throws IOException if PostgreSQL cannot start or the passwords cannot be stored
     */
    static Started start(Path dataDir, int port) throws IOException {
        Path dir = dataDir.resolve("postgres");
        PlatformSecrets.createPrivateDirectory(dataDir);
        String superPassword = loadOrCreatePassword(dataDir.resolve(SUPERUSER_PASSWORD_FILE));
        String appPassword = loadOrCreatePassword(dataDir.resolve(APP_PASSWORD_FILE));
        boolean secured = Files.exists(dir.resolve(SECURED_MARKER));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false) // closed by the context, after the gateway flushed usage
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("password_encryption", "scram-sha-256")
                // Sized for one application's pool (10) plus Flyway, the admin CLI and psql, not
                // zonky's 300 (shared memory per slot); buffers for a self-hosted database that fits
                // in a few hundred MiB, leaving the page cache the rest (16 MB: an idle server touches few of them, and
                // each touched page counts in the resident memory of every backend that reads it).
                .setServerConfig("max_connections", "40")
                .setServerConfig("shared_buffers", "16MB")
                // No logical replication here: without workers PostgreSQL starts no launcher process.
                .setServerConfig("max_logical_replication_workers", "0")
                // zonky's own readiness check logs in as postgres: with the password once it is required.
                .setConnectConfig("password", superPassword);
        if (port > 0) {
            builder.setPort(port);
        }
        if (secured) {
            builder.setDataDirectoryCustomizer(d -> writeHba(d.toPath()));
        }
        if (Files.isDirectory(dir)) {
            // After a crash the previous run's postmaster may still run, or its pid file be stale.
            if (StalePostmaster.recover(dir) == StalePostmaster.Outcome.IN_USE) {
                throw new IOException("another IPLoop server is running on " + dataDir + " (it holds "
                        + dir.resolve(StalePostmaster.LOCK_FILE) + "): stop it first, or use another data directory");
            }
        }
        EmbeddedPostgres pg = builder.start();
        try {
            if (!secured) {
                secure(pg, dir, superPassword, appPassword);
            }
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return new Started(pg, "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", APP_ROLE, appPassword);
    }

    /** First start or an old data directory: passwords, the application role and its schema, then the rules. */
    private static void secure(EmbeddedPostgres pg, Path dir, String superPassword, String appPassword) throws IOException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("ALTER ROLE postgres PASSWORD " + literal(superPassword));
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN "
                    + "CREATE ROLE " + APP_ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION; END IF; END $$");
            s.execute("ALTER ROLE " + APP_ROLE + " PASSWORD " + literal(appPassword));
            s.execute("ALTER SCHEMA public OWNER TO " + APP_ROLE);
            s.execute("GRANT CONNECT, TEMPORARY ON DATABASE postgres TO " + APP_ROLE);
            // Objects created as postgres before this version: the application role takes them over
            // (owned sequences follow their tables).
            s.execute("""
                    DO $$
                    DECLARE r record;
                    BEGIN
                      FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                                 AND pg_get_userbyid(c.relowner) <> '%1$s'
                                 AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d
                                          WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
                      LOOP
                        EXECUTE format('ALTER %%s %%I OWNER TO %1$s',
                          CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                         WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                                         ELSE 'TABLE' END, r.relname);
                      END LOOP;
                      FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                               WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '%1$s'
                      LOOP
                        EXECUTE format('ALTER FUNCTION %%s OWNER TO %1$s', r.fn);
                      END LOOP;
                    END $$""".formatted(APP_ROLE));
            writeHba(dir);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("cannot set up password authentication of the embedded PostgreSQL in " + dir, e);
        }
        PlatformSecrets.writePrivateFile(dir.resolve(SECURED_MARKER), "scram-sha-256\n");
        log.info("Embedded PostgreSQL now requires passwords; the application connects as {}", APP_ROLE);
    }

    private static void writeHba(Path dir) {
        try {
            Files.writeString(dir.resolve("pg_hba.conf"), PG_HBA);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("pg_hba.conf"), e);
        }
    }

    private static String loadOrCreatePassword(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                PlatformSecrets.writePrivateFile(file, HexFormat.of().formatHex(SecureTokens.randomBytes(24)) + "\n");
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: use theirs
            }
        }
        String password = Files.readString(file).strip();
        if (password.isEmpty() || !password.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw new IOException(file + ": not a generated password (expected: hex digits)");
        }
        return password;
    }

    /** A SQL string literal of a hex password (nothing to escape; checked by {@link #loadOrCreatePassword}). */
    private static String literal(String hex) {
        return "'" + hex + "'";
    }
}
