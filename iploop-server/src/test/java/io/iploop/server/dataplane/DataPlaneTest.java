package io.iploop.server.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The database port that exits must never reach is read from the JDBC URL ({@code docs/security.md}). */
class DataPlaneTest {

    @Test
    void jdbcPortOfPostgresUrls() {
        assertThat(DataPlane.jdbcPort("jdbc:postgresql://localhost:54321/postgres?user=x")).isEqualTo(54321);
        assertThat(DataPlane.jdbcPort("jdbc:postgresql://[::1]:6000/db")).isEqualTo(6000);
        assertThat(DataPlane.jdbcPort("jdbc:postgresql://db.internal/iploop")).isEqualTo(5432);
        assertThat(DataPlane.jdbcPort("jdbc:postgresql://127.0.0.1:5433")).isEqualTo(5433);
        assertThat(DataPlane.jdbcPort("jdbc:h2:mem:x")).isEqualTo(-1);
        assertThat(DataPlane.jdbcPort(null)).isEqualTo(-1);
    }
}
