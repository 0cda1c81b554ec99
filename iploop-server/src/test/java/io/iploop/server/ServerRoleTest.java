package io.iploop.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The roles of {@code iploop server --role} and what each refuses to start without (docs/deploy.md#cluster). */
class ServerRoleTest {

    @Test
    void rolesAreParsedByTheirOptionNames() {
        assertThat(ServerRole.parse("all")).contains(ServerRole.ALL);
        assertThat(ServerRole.parse("Control-Plane")).contains(ServerRole.CONTROL_PLANE);
        assertThat(ServerRole.parse(" gateway ")).contains(ServerRole.GATEWAY);
        assertThat(ServerRole.parse("worker")).isEmpty();
        assertThat(ServerRole.ALL.profile()).isNull();
        assertThat(ServerRole.GATEWAY.profile()).isEqualTo("gateway");
    }

    @Test
    void theEmbeddedDefaultNeedsNothingAndClusterRolesNeedTheSharedDatabaseAndRedis() {
        Map<String, String> none = Map.of();
        assertThat(ServerRole.ALL.missingSharedState(none::get, none::get)).isNull();

        String gateway = ServerRole.GATEWAY.missingSharedState(none::get, none::get);
        assertThat(gateway).contains("--role=gateway", "IPLOOP_DB_URL", "IPLOOP_REDIS_URL");

        Map<String, String> dbOnly = Map.of("IPLOOP_DB_URL", "jdbc:postgresql://db:5432/iploop");
        String cp = ServerRole.CONTROL_PLANE.missingSharedState(dbOnly::get, none::get);
        assertThat(cp).contains("IPLOOP_REDIS_URL").doesNotContain("IPLOOP_DB_URL");

        Map<String, String> props = Map.of("iploop.redis.url", "redis://r:6379");
        assertThat(ServerRole.CONTROL_PLANE.missingSharedState(dbOnly::get, props::get)).isNull();
    }

    @Test
    void theCommandLineRefusesAClusterRoleWithoutSharedStateBeforeStartingAnything() {
        // The build's environment has no IPLOOP_DB_URL / IPLOOP_REDIS_URL (else this checks nothing).
        if (System.getenv("IPLOOP_DB_URL") != null || System.getenv("IPLOOP_REDIS_URL") != null) {
            return;
        }
        int rc = new picocli.CommandLine(new IploopMain()).execute("server", "--role=gateway");
        assertThat(rc).isEqualTo(2);
        assertThat(new picocli.CommandLine(new IploopMain()).execute("server", "--role=nonsense")).isEqualTo(2);
    }
}
