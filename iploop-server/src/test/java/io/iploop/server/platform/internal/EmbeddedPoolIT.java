package io.iploop.server.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default's pool gets back to one connection (one PostgreSQL backend) while the
 * server's pollers keep using it: README "Start-up time and memory".
 */
class EmbeddedPoolIT {

    @TempDir
    Path dataDir;

    @Test
    void twoPollersThatOnceNeededTwoConnectionsShareOneAgain() throws Exception {
        EmbeddedDatabase.Started db = EmbeddedDatabase.start(dataDir, 0);
        DatabaseConfig.DatabaseServer server = new DatabaseConfig.DatabaseServer(db.server(), db.jdbcUrl(), db.user(),
                db.password());
        try (server; HikariDataSource pool = new DatabaseConfig().dataSource(server)) {
            // Both hold a connection at the same moment once (as at start-up), so the pool opens two;
            // then each polls on its own thread like the mail worker and the block-list refresh do.
            CountDownLatch bothHold = new CountDownLatch(2);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> pollers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                pollers.add(Thread.ofPlatform().name("poller-" + i).start(() -> poll(pool, bothHold, stop, failure)));
            }
            try {
                assertThat(bothHold.await(30, TimeUnit.SECONDS)).isTrue();
                // (Hikari may add a third, to keep one idle while both are held)
                assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isGreaterThanOrEqualTo(2);

                // Never idle for the idle timeout (each poller reuses its own): only their age retires them.
                await().atMost(Duration.ofMillis(DatabaseConfig.EMBEDDED_MAX_LIFETIME_MS + 20_000))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> pool.getHikariPoolMXBean().getTotalConnections() == 1);
            } finally {
                stop.set(true); // before the pool closes under them
                for (Thread t : pollers) {
                    t.join(10_000);
                }
            }
            assertThat(failure.get()).as("no poller query failed while connections were retired").isNull();
        }
    }

    private static void poll(HikariDataSource pool, CountDownLatch bothHold, AtomicBoolean stop,
            AtomicReference<Throwable> failure) {
        try {
            try (Connection c = pool.getConnection()) {
                bothHold.countDown();
                bothHold.await(30, TimeUnit.SECONDS);
                selectOne(c);
            }
            while (!stop.get()) {
                try (Connection c = pool.getConnection()) {
                    selectOne(c);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            failure.set(e);
        }
    }

    private static void selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }
}
