package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** When the first start creates the demo customer ({@code IPLOOP_DEMO_CUSTOMER}, {@code IPLOOP_DB_URL}). */
class IploopPropertiesTest {

    private static IploopProperties with(@Nullable String dbUrl, @Nullable Boolean demoCustomer) {
        return new IploopProperties(Path.of("data"), new IploopProperties.Db(dbUrl, null, null, 0), 7777, 1080, 8001,
                "0.0.0.0", false, "127.0.0.1", null, false, null, true, Duration.ofSeconds(1), demoCustomer,
                DataSize.ofMegabytes(256),
                Duration.ofSeconds(3));
    }

    @Test
    void demoCustomerByDefaultOnlyOnTheEmbeddedDatabase() {
        assertThat(with(null, null).createDemoCustomer()).isTrue();
        assertThat(with("", null).createDemoCustomer()).isTrue();
        assertThat(with("jdbc:postgresql://db.example/iploop", null).createDemoCustomer()).isFalse();
    }

    @Test
    void iploopDemoCustomerOverridesTheDefault() {
        assertThat(with("jdbc:postgresql://db.example/iploop", true).createDemoCustomer()).isTrue();
        assertThat(with(null, false).createDemoCustomer()).isFalse();
    }
}
