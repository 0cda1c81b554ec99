package io.iploop.server.testing;

import io.iploop.server.platform.LoginSessions;
import io.iploop.server.platform.TokenRevocations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The configuration of a feature's {@code @ApplicationModuleTest} (docs/testing.md, "Module tests"):
 * the real embedded PostgreSQL with the whole Flyway schema in a fresh temporary data directory,
 * and nothing running behind the test's back (no gateway, scheduled jobs only on demand, mail into
 * the dev mailbox, polled every 100 ms). Use it as
 * {@code @ContextConfiguration(initializers = ModuleTestDatabase.class)} next to
 * {@code @ApplicationModuleTest}; the module's own beans and the shared {@code platform} module are
 * all that start.
 *
 * <p>The platform's security filters ask two interfaces that the {@code accounts} feature
 * implements; without it they get stand-ins that accept no token and know no session, so a module
 * test talks to its feature's services, never through authenticated HTTP. For a module test of
 * {@code accounts} itself this initializer does not fit (its beans would be there twice). Not a
 * Spring component.
 */
public final class ModuleTestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Map<String, Object> values = new LinkedHashMap<>();
        try {
            values.put("iploop.data-dir", Files.createTempDirectory("iploop-module-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        values.put("iploop.db.url", "");
        values.put("iploop.gateway-enabled", "false");
        values.put("iploop.local-node", "false");
        values.put("iploop.jobs.scheduling-enabled", "false");
        values.put("iploop.mail.smtp-host", "");
        values.put("iploop.mail.poll-interval", "100ms");
        values.put("server.address", "127.0.0.1");
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("iploop-module-test", values));
        context.getBeanFactory().registerSingleton("moduleTestTokenRevocations", (TokenRevocations) token -> true);
        context.getBeanFactory().registerSingleton("moduleTestLoginSessions",
                (LoginSessions) (sessionId, userId) -> Optional.empty());
    }
}
