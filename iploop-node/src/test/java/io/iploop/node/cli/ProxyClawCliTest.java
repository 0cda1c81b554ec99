package io.iploop.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.node.ActiveHours;
import io.iploop.tunnel.PortPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyClawCliTest {

    private static final String KEY = "ipn_" + "0123456789abcdef".repeat(3);

    @TempDir
    Path tmp;

    private Path home() {
        return tmp.resolve("proxyclaw-home");
    }

    @Test
    void loginStoresTheKeyInAPrivateFileAndCreatesADeviceId() throws IOException {
        CliRun r = CliRun.run(home(), "login", "--key", KEY, "--gateway", "ws://gw.example:8001/ws");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("ipn_0123…cdef").doesNotContain(KEY);
        Path config = home().resolve("config.properties");
        assertThat(Files.readString(config)).contains("key=" + KEY).contains("gateway=ws\\://gw.example\\:8001/ws");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home()))).isEqualTo("rwx------");
        String deviceId = Files.readString(home().resolve("device-id")).strip();
        assertThat(deviceId).matches("[0-9a-f]{32}");

        // Logging in again keeps the device id.
        assertThat(CliRun.run(home(), "login", "--key", KEY).exitCode()).isZero();
        assertThat(Files.readString(home().resolve("device-id")).strip()).isEqualTo(deviceId);
    }

    @Test
    void loginRejectsAMalformedKeyNamingIt() {
        CliRun r = CliRun.run(home(), "login", "--key", "ipn_nothex");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--key").contains("ipn_ followed by 48 hex digits");
        assertThat(home().resolve("config.properties")).doesNotExist();
    }

    @Test
    void loginWithoutKeyAndWithoutTerminalIsAUsageError() {
        CliRun r = CliRun.run(home(), "login");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--key: missing");
    }

    @Test
    void loginRejectsANonWebSocketGateway() {
        CliRun r = CliRun.run(home(), "login", "--key", KEY, "--gateway", "http://gw.example:8001/ws");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--gateway").contains("ws://");
    }

    @Test
    void configSetNormalizesAndGetReadsBack() {
        assertThat(CliRun.run(home(), "config", "set", "country", "de").exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "set", "asn", "AS3320").exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "set", "connection-type", "WiFi").exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "set", "device-name", "living room pi").exitCode()).isZero();

        assertThat(CliRun.run(home(), "config", "get", "country").out().strip()).isEqualTo("DE");
        assertThat(CliRun.run(home(), "config", "get", "asn").out().strip()).isEqualTo("3320");
        assertThat(CliRun.run(home(), "config", "get", "connection-type").out().strip()).isEqualTo("wifi");
        assertThat(CliRun.run(home(), "config", "get", "device-name").out().strip()).isEqualTo("living room pi");
        assertThat(CliRun.run(home(), "config", "get", "gateway").out().strip()).isEqualTo(EffectiveConfig.DEFAULT_GATEWAY);
    }

    @Test
    void configSetRejectsInvalidValuesNamingTheSetting() {
        assertUsageError(CliRun.run(home(), "config", "set", "country", "XX"), "country", "ISO 3166-1 alpha-2");
        assertUsageError(CliRun.run(home(), "config", "set", "asn", "abc"), "asn", "AS number");
        assertUsageError(CliRun.run(home(), "config", "set", "connection-type", "dialup"), "connection-type", "wifi, cellular or ethernet");
        assertUsageError(CliRun.run(home(), "config", "set", "bandwidth-limit-mbps", "0"), "bandwidth-limit-mbps", "1-10000");
        assertUsageError(CliRun.run(home(), "config", "set", "device-name", "x".repeat(101)), "device-name", "1-100 characters");
        assertUsageError(CliRun.run(home(), "config", "set", "gateway", "ftp://x"), "gateway", "ws://");
        assertUsageError(CliRun.run(home(), "config", "set", "blocked-cidrs", "10.0.0.0/33"), "blocked-cidrs", "CIDR");
        assertUsageError(CliRun.run(home(), "config", "set", "colour", "blue"), "colour", "device-name");
        assertThat(home().resolve("config.properties")).doesNotExist();
    }

    @Test
    void gatewayCaMustBeAReadableCertificateFileAndIsStoredAbsolute() throws Exception {
        assertUsageError(CliRun.run(home(), "config", "set", "gateway-ca", tmp.resolve("missing.pem").toString()),
                "gateway-ca", "readable PEM certificate file");
        java.nio.file.Path notPem = java.nio.file.Files.writeString(tmp.resolve("not.pem"), "hello");
        assertUsageError(CliRun.run(home(), "config", "set", "gateway-ca", notPem.toString()), "gateway-ca", "PEM");

        // A real certificate, made by the JDK's keytool as operators would have one.
        java.nio.file.Path store = tmp.resolve("ca.p12");
        java.nio.file.Path pem = tmp.resolve("ca.pem");
        String keytool = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        for (List<String> cmd : List.of(
                List.of(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=test", "-storetype", "PKCS12",
                        "-keystore", store.toString(), "-storepass", "changeit"),
                List.of(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "changeit",
                        "-file", pem.toString()))) {
            assertThat(new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor()).isZero();
        }
        assertThat(CliRun.run(home(), "config", "set", "gateway-ca", pem.toString()).exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "get", "gateway-ca").out().strip()).isEqualTo(pem.toAbsolutePath().toString());
    }

    @Test
    void bandwidthLimitIsStoredAndSaysWhenItApplies() {
        CliRun r = CliRun.run(home(), "config", "set", "bandwidth-limit-mbps", "50");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("caps its traffic").doesNotContain("not enforced");
    }

    @Test
    void allowedPortsAreValidatedAndStoredInCanonicalForm() {
        assertThat(new EffectiveConfig(new ConfigDir(home()), Map.of()).allowedPorts()).isEqualTo(PortPolicy.WEB);
        assertUsageError(CliRun.run(home(), "config", "set", "allowed-ports", "80,ssh"), "allowed-ports", "bad: ssh");
        CliRun r = CliRun.run(home(), "config", "set", "allowed-ports", "9000-8000");
        assertUsageError(r, "allowed-ports", "bad: 9000-8000");

        CliRun ok = CliRun.run(home(), "config", "set", "allowed-ports", "443, 80,8000-9000");

        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(CliRun.run(home(), "config", "get", "allowed-ports").out().strip()).isEqualTo("80,443,8000-9000");
        assertThat(new EffectiveConfig(new ConfigDir(home()), Map.of()).allowedPorts().allows(8080)).isTrue();
        assertThat(new EffectiveConfig(new ConfigDir(home()), Map.of("PROXYCLAW_ALLOWED_PORTS", "all")).allowedPorts().isAll()).isTrue();
    }

    @Test
    void activeHoursAndDataCapAreValidatedAndStored() {
        assertThat(new EffectiveConfig(new ConfigDir(home()), Map.of()).activeHours()).isSameAs(ActiveHours.ALWAYS);
        assertThat(new EffectiveConfig(new ConfigDir(home()), Map.of()).monthlyDataCapGb()).isNull();
        assertUsageError(CliRun.run(home(), "config", "set", "active-hours", "8-23"), "active-hours", "bad: 8-23");
        assertUsageError(CliRun.run(home(), "config", "set", "monthly-data-cap-gb", "0"), "monthly-data-cap-gb", "1-1000000");

        assertThat(CliRun.run(home(), "config", "set", "active-hours", "Mon-Fri  18:00-23:30;sat,sun 08:00-23:00").exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "set", "monthly-data-cap-gb", "50").exitCode()).isZero();

        EffectiveConfig c = new EffectiveConfig(new ConfigDir(home()), Map.of());
        assertThat(c.activeHours().toString()).isEqualTo("mon-fri 18:00-23:30; sat,sun 08:00-23:00");
        assertThat(c.monthlyDataCapGb()).isEqualTo(50);
    }

    @Test
    void configListMasksTheKeyAndShowsEnvironmentOverrides() {
        CliRun.run(home(), "login", "--key", KEY);
        CliRun.run(home(), "config", "set", "city", "Berlin");

        CliRun r = CliRun.run(home(), Map.of("PROXYCLAW_CITY", "Hamburg"), "config", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain(KEY).contains("ipn_0123…cdef");
        assertThat(r.out()).containsPattern("city\\s+Hamburg\\s+\\(env PROXYCLAW_CITY\\)");
    }

    @Test
    void invalidEnvironmentOverrideNamesTheVariable() {
        CliRun r = CliRun.run(home(), Map.of("PROXYCLAW_COUNTRY", "Germany"), "config", "list");

        assertUsageError(r, "PROXYCLAW_COUNTRY", "ISO 3166-1 alpha-2");
    }

    @Test
    void logoutRemovesTheKeyButKeepsSettings() throws IOException {
        CliRun.run(home(), "login", "--key", KEY);
        CliRun.run(home(), "config", "set", "country", "US");

        CliRun r = CliRun.run(home(), "logout");

        assertThat(r.exitCode()).isZero();
        String config = Files.readString(home().resolve("config.properties"));
        assertThat(config).doesNotContain(KEY).contains("country=US");
        assertThat(CliRun.run(home(), "logout").out()).contains("Not logged in");
    }

    @Test
    void statusAndStopSayNotRunning() {
        CliRun status = CliRun.run(home(), "status");
        assertThat(status.exitCode()).as("LSB: 3 = not running").isEqualTo(3);
        assertThat(status.out()).contains("not running");

        CliRun stop = CliRun.run(home(), "stop");
        assertThat(stop.exitCode()).isZero();
        assertThat(stop.out()).contains("not running");
    }

    @Test
    void homeLocatesTheConfigDirectoryAndProxyclawHomeOverridesIt() throws IOException {
        Path userHome = tmp.resolve("user");
        Files.createDirectories(userHome);
        ProxyClawCli cli = new ProxyClawCli(Map.of("HOME", userHome.toString()),
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));

        assertThat(cli.run("login", "--key", KEY)).isZero();

        Path dir = userHome.resolve(".proxyclaw");
        assertThat(Files.readString(dir.resolve("config.properties"))).contains("key=" + KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("device-id"))))
                .isEqualTo("rw-------");

        ProxyClawCli overridden = new ProxyClawCli(Map.of("HOME", userHome.toString(), "PROXYCLAW_HOME", home().toString()),
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
        assertThat(overridden.run("config", "set", "country", "DE")).isZero();
        assertThat(home().resolve("config.properties")).exists();
        assertThat(Files.readString(dir.resolve("config.properties"))).doesNotContain("country");
    }

    @Test
    void theLogFileIsPrivateEvenIfAnOlderVersionLeftItReadable() throws IOException {
        ConfigDir dir = new ConfigDir(home());
        Path fresh = dir.privateLogFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-------");

        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-r--r--"));
        dir.privateLogFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-------");
    }

    @Test
    void resetIdGivesANewDeviceIdAndKeepsTheLogin() throws IOException {
        assertThat(CliRun.run(home(), "login", "--key", KEY).exitCode()).isZero();
        String before = Files.readString(home().resolve("device-id")).strip();

        CliRun r = CliRun.run(home(), "reset-id");

        assertThat(r.exitCode()).as(r.err()).isZero();
        String after = Files.readString(home().resolve("device-id")).strip();
        assertThat(after).matches("[0-9a-f]{32}").isNotEqualTo(before);
        assertThat(r.out()).contains(after);
        assertThat(Files.readString(home().resolve("config.properties"))).contains("key=" + KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home().resolve("device-id"))))
                .isEqualTo("rw-------");
    }

    @Test
    void resetIdRefusesWhenTheEnvironmentFixesTheId() {
        CliRun r = CliRun.run(home(), Map.of("PROXYCLAW_DEVICE_ID", "fixed-1"), "reset-id");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("PROXYCLAW_DEVICE_ID");
    }

    @Test
    void drainTimeoutIsValidated() {
        assertThat(CliRun.run(home(), "config", "set", "drain-timeout", "45").exitCode()).isZero();
        assertUsageError(CliRun.run(home(), "config", "set", "drain-timeout", "3601"), "drain-timeout", "0-3600");
        assertUsageError(CliRun.run(home(), Map.of("PROXYCLAW_DRAIN_TIMEOUT", "soon"), "config", "list"),
                "PROXYCLAW_DRAIN_TIMEOUT");
    }

    @Test
    void staleStatusFilesDoNotMakeItLookRunning() throws IOException {
        Files.createDirectories(home());
        Files.writeString(home().resolve("agent.pid"), "999999999\n");

        assertThat(CliRun.run(home(), "status").out()).contains("not running");
        assertThat(CliRun.run(home(), "stop").out()).contains("stale pid file");
        assertThat(home().resolve("agent.pid")).doesNotExist();
    }

    @Test
    void startWithoutKeyFailsWithAHint() {
        CliRun r = CliRun.run(home(), "start");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("not logged in").contains("proxyclaw login").contains("PROXYCLAW_KEY");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(CliRun.run(home(), "frobnicate").exitCode()).isEqualTo(2);
        assertThat(CliRun.run(home(), "config", "set", "country").exitCode()).isEqualTo(2);
        assertThat(CliRun.run(home()).exitCode()).isEqualTo(2);
        assertThat(CliRun.run(home(), "--version").out()).startsWith("proxyclaw ");
    }

    @Test
    void seedDockerVariableIsAnAliasForTheKey() {
        CliRun r = CliRun.run(home(), Map.of("PROXYCLAW_API_KEY", "not-a-key"), "config", "list");

        assertUsageError(r, "PROXYCLAW_API_KEY", "ipn_");
    }

    @Test
    void theMetricsSettingIsOffByDefaultAndABarePortMeansLoopback() {
        assertThat(CliRun.run(home(), "config", "get", "metrics").out().strip()).isIn("", "-", "off");
        assertThat(CliRun.run(home(), "config", "set", "metrics", "9464").exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "get", "metrics").out().strip()).isEqualTo("127.0.0.1:9464");
        assertThat(CliRun.run(home(), "config", "set", "metrics", "0.0.0.0:9100").exitCode()).isZero();
        assertThat(CliRun.run(home(), "config", "get", "metrics").out().strip()).isEqualTo("0.0.0.0:9100");
        assertUsageError(CliRun.run(home(), "config", "set", "metrics", "70000"), "metrics", "off, a port 1-65535");
        assertUsageError(CliRun.run(home(), "config", "set", "metrics", "on"), "metrics", "host:port");
    }

    @Test
    void statusJsonSaysNotRunningWithExitCode3() {
        CliRun r = CliRun.run(home(), "status", "--json");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).contains("\"running\":false").contains("\"state\":\"stopped\"").contains("\"nodeId\":null");
    }

    private static void assertUsageError(CliRun r, String... fragments) {
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(fragments);
    }
}
