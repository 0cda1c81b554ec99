package io.iploop.server.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL asks every login for a password and the application is no superuser
 * ({@code docs/security.md}); a data directory from before is migrated on its next start.
 */
class EmbeddedDatabaseIT {

    @TempDir
    Path dataDir;

    private static String url(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    private static void assertLocked(int port) {
        assertThatThrownBy(() -> DriverManager.getConnection(url(port) + "?user=postgres").close())
                .as("trust login as the superuser").isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(url(port), "postgres", "guess").close())
                .isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(url(port), "iploop", "").close())
                .isInstanceOf(SQLException.class);
    }

    private static boolean appIsSuperuser(EmbeddedDatabase.Started db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void aNewDatabaseNeedsPasswordsAndTheApplicationIsNoSuperuser() throws Exception {
        EmbeddedDatabase.Started db = EmbeddedDatabase.start(dataDir, 0);
        int port;
        try {
            port = db.server().getPort();
            assertThat(db.user()).isEqualTo("iploop");
            assertThat(appIsSuperuser(db)).isFalse();
            assertLocked(port);
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id bigserial PRIMARY KEY)"); // owns the schema: Flyway can migrate
            }
        } finally {
            db.server().close();
        }
        for (String f : new String[] {EmbeddedDatabase.APP_PASSWORD_FILE, EmbeddedDatabase.SUPERUSER_PASSWORD_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(f)))).isEqualTo("rw-------");
        }
        EmbeddedDatabase.Started again = EmbeddedDatabase.start(dataDir, 0);
        try {
            assertThat(again.password()).isEqualTo(db.password());
            try (Connection c = DriverManager.getConnection(again.jdbcUrl(), again.user(), again.password());
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO t DEFAULT VALUES");
            }
            assertLocked(again.server().getPort());
        } finally {
            again.server().close();
        }
    }

    @Test
    void anOldTrustDatabaseIsMigratedOnItsNextStart() throws Exception {
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("postgres"))
                .setCleanDataDirectory(false).setRegisterShutdownHook(false).start();
                Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE legacy (id bigserial PRIMARY KEY, v text)");
            s.execute("CREATE FUNCTION legacy_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'");
        }
        EmbeddedDatabase.Started db = EmbeddedDatabase.start(dataDir, 0);
        try {
            assertLocked(db.server().getPort());
            assertThat(appIsSuperuser(db)).isFalse();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO legacy (v) VALUES ('kept')");
                s.execute("ALTER TABLE legacy ADD COLUMN w text"); // owner rights, as Flyway needs
                s.execute("CREATE OR REPLACE FUNCTION legacy_fn() RETURNS int LANGUAGE sql AS 'SELECT 2'");
            }
        } finally {
            db.server().close();
        }
    }
}
