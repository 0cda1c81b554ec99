package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server settings' defaults and checks: when the first start creates the demo customer
 * ({@code IPLOOP_DEMO_CUSTOMER}, {@code IPLOOP_DB_URL}), the TLS ports and files, Redis, the pool and
 * the gateway's IO threads; a bad value is refused naming its variable.
 */
class IploopPropertiesTest {

    private static IploopProperties with(@Nullable String dbUrl, @Nullable Boolean demoCustomer) {
        return withIoThreads(dbUrl, demoCustomer, 0);
    }

    private static IploopProperties withIoThreads(@Nullable String dbUrl, @Nullable Boolean demoCustomer, int ioThreads) {
        return new IploopProperties(Path.of("data"), new IploopProperties.Db(dbUrl, null, null, 0), 7777, 1080, 8001,
                "0.0.0.0", false, "127.0.0.1", null, false, null, true, Duration.ofSeconds(1), demoCustomer,
                DataSize.ofMegabytes(256),
                Duration.ofSeconds(3), tls(7778, null, null), new IploopProperties.Redis(null, "iploop:"),
                IploopProperties.Pool.DEFAULTS, 0, "", ioThreads);
    }

    private static IploopProperties.Tls tls(int proxyPort, @Nullable Path cert, @Nullable Path key) {
        return new IploopProperties.Tls(proxyPort, 1081, 8002, cert, key, Duration.ofSeconds(10));
    }

    @Test
    void demoCustomerByDefaultOnlyOnTheEmbeddedDatabase() {
        assertThat(with(null, null).createDemoCustomer()).isTrue();
        assertThat(with("", null).createDemoCustomer()).isTrue();
        assertThat(with("jdbc:postgresql://db.example/iploop", null).createDemoCustomer()).isFalse();
    }

    @Test
    void ioThreadsIsZeroForOnePerCoreOrAPositiveCount() {
        assertThat(with(null, null).ioThreads()).isZero();
        assertThat(withIoThreads(null, null, 8).ioThreads()).isEqualTo(8);
        assertThatThrownBy(() -> withIoThreads(null, null, -1)).hasMessageStartingWith("IPLOOP_IO_THREADS: -1");
    }

    @Test
    void iploopDemoCustomerOverridesTheDefault() {
        assertThat(with("jdbc:postgresql://db.example/iploop", true).createDemoCustomer()).isTrue();
        assertThat(with(null, false).createDemoCustomer()).isFalse();
    }

    @Test
    void tlsPortsAreCheckedAndMinusOneTurnsAListenerOff() {
        assertThat(tls(-1, null, null).proxyPort()).isEqualTo(-1);
        assertThat(tls(0, null, null).selfSigned()).isTrue();
        assertThatThrownBy(() -> tls(-2, null, null)).hasMessageStartingWith("IPLOOP_PROXY_TLS_PORT: -2");
        assertThatThrownBy(() -> tls(65536, null, null)).hasMessageStartingWith("IPLOOP_PROXY_TLS_PORT: 65536");
        assertThatThrownBy(() -> new IploopProperties.Tls(7778, 1081, 70000, null, null, Duration.ofSeconds(10)))
                .hasMessageStartingWith("IPLOOP_NODE_HUB_TLS_PORT");
    }

    @Test
    void tlsFilesComeAsAPairOfReadableFiles(@TempDir Path dir) throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        assertThat(tls(7778, cert, key).selfSigned()).isFalse();
        assertThat(tls(7778, Path.of(""), Path.of("")).selfSigned()).isTrue();
        assertThatThrownBy(() -> tls(7778, cert, null)).hasMessageStartingWith("IPLOOP_TLS_KEY_FILE: not set");
        assertThatThrownBy(() -> tls(7778, null, key)).hasMessageStartingWith("IPLOOP_TLS_CERT_FILE: not set");
        assertThatThrownBy(() -> tls(7778, dir.resolve("missing.pem"), key))
                .hasMessageStartingWith("IPLOOP_TLS_CERT_FILE: " + dir.resolve("missing.pem"));
        assertThatThrownBy(() -> new IploopProperties.Tls(7778, 1081, 8002, null, null, Duration.ofMillis(500)))
                .hasMessageStartingWith("IPLOOP_TLS_RELOAD_INTERVAL");
    }

    @Test
    void redisIsOffUnlessAUrlIsSetAndTheUrlAndPrefixAreChecked() {
        assertThat(with(null, null).redis().enabled()).isFalse();
        assertThat(new IploopProperties.Redis("", "iploop:").enabled()).isFalse();
        assertThat(new IploopProperties.Redis("redis://127.0.0.1:6379", "iploop:").enabled()).isTrue();
        assertThat(new IploopProperties.Redis("rediss://:secret@redis.example:6380/2", "a:").enabled()).isTrue();
        assertThatThrownBy(() -> new IploopProperties.Redis("127.0.0.1:6379", "iploop:"))
                .hasMessageStartingWith("IPLOOP_REDIS_URL: must start with redis://");
        assertThatThrownBy(() -> new IploopProperties.Redis(null, ""))
                .hasMessageStartingWith("IPLOOP_REDIS_KEY_PREFIX");
        assertThatThrownBy(() -> new IploopProperties.Redis(null, "with space"))
                .hasMessageStartingWith("IPLOOP_REDIS_KEY_PREFIX");
    }

    @Test
    void poolPortsAndDurationsAreCheckedNamingTheVariable() {
        IploopProperties.Pool d = with(null, null).pool();
        assertThat(d.firstPort()).isEqualTo(4000);
        assertThat(d.lastPort()).isEqualTo(4999);
        assertThat(d.bind()).isNull();
        IploopProperties.Pool custom = pool(" 5000 - 5009 ", "", Duration.ofSeconds(5), "http://probe.example/ok");
        assertThat(custom.firstPort()).isEqualTo(5000);
        assertThat(custom.lastPort()).isEqualTo(5009);
        assertThat(custom.bind()).isNull();
        assertThatThrownBy(() -> pool("4999-4000", null, Duration.ofSeconds(1), null))
                .hasMessageStartingWith("IPLOOP_POOL_PORTS: '4999-4000'");
        assertThatThrownBy(() -> pool("4000", null, Duration.ofSeconds(1), null))
                .hasMessageStartingWith("IPLOOP_POOL_PORTS");
        assertThatThrownBy(() -> pool("4000-70000", null, Duration.ofSeconds(1), null))
                .hasMessageStartingWith("IPLOOP_POOL_PORTS");
        assertThatThrownBy(() -> pool("4000-4999", null, Duration.ofSeconds(-1), null))
                .hasMessageStartingWith("IPLOOP_POOL_RELOAD_GRACE");
        assertThatThrownBy(() -> pool("4000-4999", null, Duration.ofSeconds(1), "https://probe.example/"))
                .hasMessageStartingWith("IPLOOP_POOL_PROBE_URL");
        assertThat(d.healthFailures()).isEqualTo(2);
        assertThatThrownBy(() -> new IploopProperties.Pool("4000-4999", null, d.reloadInterval(), d.reloadGrace(),
                d.healthInterval(), d.healthTimeout(), null, d.strikeAfter(), d.lockout(), 0))
                .hasMessageStartingWith("IPLOOP_POOL_HEALTH_FAILURES: 0");
    }

    private static IploopProperties.Pool pool(String ports, @Nullable String bind, Duration grace, @Nullable String probe) {
        IploopProperties.Pool d = IploopProperties.Pool.DEFAULTS;
        return new IploopProperties.Pool(ports, bind, d.reloadInterval(), grace, d.healthInterval(), d.healthTimeout(), probe,
                d.strikeAfter(), d.lockout(), d.healthFailures());
    }
}
