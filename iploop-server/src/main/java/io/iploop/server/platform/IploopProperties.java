package io.iploop.server.platform;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything configurable under {@code iploop.*}. Each property is fed by one environment variable
 * (mapped explicitly in {@code application.properties}); the defaults are those of the embedded,
 * one-machine deployment. Immutable.
 *
 * @param dataDir {@code IPLOOP_DATA_DIR} (default {@code ./data}): secrets, embedded PostgreSQL
 *     data, the local node key
 * @param db the database; see {@link Db}
 * @param proxyPort {@code IPLOOP_PROXY_PORT} (7777): HTTP proxy listener, 0 = ephemeral
 * @param socksPort {@code IPLOOP_SOCKS_PORT} (1080): SOCKS5 listener, 0 = ephemeral
 * @param nodeHubPort {@code IPLOOP_NODE_HUB_PORT} (8001): node hub WebSocket, 0 = ephemeral
 * @param bindAddress {@code IPLOOP_BIND_ADDRESS} ({@code 0.0.0.0}): address the gateway listeners
 *     and the HTTP server bind to
 * @param egressAllowLoopback {@code IPLOOP_EGRESS_ALLOW_LOOPBACK} (false): lets exits reach loopback
 *     targets; tests and local trials only (docs/security.md#exits-the-data-plane)
 * @param publicHost {@code IPLOOP_PUBLIC_HOST} ({@code 127.0.0.1}): host printed in the banner's URLs
 * @param geoipDb {@code IPLOOP_GEOIP_DB}: path of a MaxMind City database; when unset nodes'
 *     self-reported location is used
 * @param localNode {@code IPLOOP_LOCAL_NODE} or {@code --local-node} (false): start a node agent
 *     in-process as the local exit
 * @param localNodeCountry {@code IPLOOP_LOCAL_NODE_COUNTRY}: ISO-3166 alpha-2 country the local node
 *     reports, so {@code -country-XX} targeting can be tried locally; null = unknown
 * @param gatewayEnabled {@code IPLOOP_GATEWAY_ENABLED} (true): run the data plane in this process
 * @param usageFlushInterval {@code IPLOOP_USAGE_FLUSH_INTERVAL} (1 s,
 *     docs/product/usage.md#metering): how often the gateway writes metered usage
 * @param demoCustomer {@code IPLOOP_DEMO_CUSTOMER}: whether the first start creates the demo
 *     customer; null (unset) = only on the embedded database, see {@link #createDemoCustomer()}
 * @param usageJournalMaxSize {@code IPLOOP_USAGE_JOURNAL_MAX_SIZE} (256 MB): bound of the on-disk
 *     usage journal in {@code DATA_DIR/usage-journal} ({@code docs/operations.md#usage-journal})
 * @param nodeOpenDeadline {@code IPLOOP_NODE_OPEN_DEADLINE} (3 s): a node that sends nothing for this
 *     long after a stream request is suspect and the request is retried on another node
 *     (docs/protocol.md §6); 100 ms to 15 s
 * @param tls the TLS entry points and their certificate; see {@link Tls}
 * @param redis the Redis of a clustered deployment, unset on the embedded default; see {@link Redis}
 * @param pool how the gateway serves the upstream pool's ports; see {@link Pool}
 * @param maxNodeSessions {@code IPLOOP_MAX_NODE_SESSIONS} (0 = derived): node agents this gateway holds
 *     at most; more are told to try elsewhere (close 4503). 0 derives it from the process's open-file
 *     limit, keeping a quarter (at least 1 024) for customers and the API (docs/scale.md#node-session-cap)
 * @param proxyProtocolTrusted {@code IPLOOP_PROXY_PROTOCOL_TRUSTED} (empty): comma-separated addresses or
 *     CIDRs of TCP load balancers in front of the gateway; a connection from one of them must begin with a
 *     PROXY protocol header (v1 or v2) naming the real client, on every customer, pool and node-hub
 *     listener (docs/deploy.md#client-addresses-behind-a-load-balancer). Empty: no header expected
 * @param ioThreads {@code IPLOOP_IO_THREADS} (0 = one per core): event loop threads carrying the
 *     gateway's connections (docs/operations.md#io-threads)
 */
@ConfigurationProperties("iploop")
public record IploopProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue Db db,
        @DefaultValue("7777") int proxyPort,
        @DefaultValue("1080") int socksPort,
        @DefaultValue("8001") int nodeHubPort,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("false") boolean egressAllowLoopback,
        @DefaultValue("127.0.0.1") String publicHost,
        @Nullable Path geoipDb,
        @DefaultValue("false") boolean localNode,
        @Nullable String localNodeCountry,
        @DefaultValue("true") boolean gatewayEnabled,
        @DefaultValue("1s") Duration usageFlushInterval,
        @Nullable Boolean demoCustomer,
        @DefaultValue("256MB") DataSize usageJournalMaxSize,
        @DefaultValue("3s") Duration nodeOpenDeadline,
        @DefaultValue Tls tls,
        @DefaultValue Redis redis,
        @DefaultValue Pool pool,
        @DefaultValue("0") int maxNodeSessions,
        @DefaultValue("") String proxyProtocolTrusted,
        @DefaultValue("0") int ioThreads) {

    /**
     * The gateway side of the upstream pool (docs/upstream-pool.md). No pool port is bound unless the
     * control plane provides upstreams.
     *
     * @param ports {@code IPLOOP_POOL_PORTS} ({@code 4000-4999}): the inclusive range of pool ports
     * @param bind {@code IPLOOP_POOL_BIND}: address the pool ports listen on; unset = {@code IPLOOP_BIND_ADDRESS}
     * @param reloadInterval {@code IPLOOP_POOL_RELOAD_INTERVAL} (5 s): how often the upstream list is polled
     * @param reloadGrace {@code IPLOOP_POOL_RELOAD_GRACE} (30 s): how long a removed port's open tunnels
     *     may go on; 0 to 1 h
     * @param healthInterval {@code IPLOOP_POOL_HEALTH_INTERVAL} (30 s): how often each upstream is checked
     * @param healthTimeout {@code IPLOOP_POOL_HEALTH_TIMEOUT} (10 s): how long one check may take
     * @param probeUrl {@code IPLOOP_POOL_PROBE_URL}: an {@code http://} URL fetched through each upstream
     *     by a check; unset = a check only connects to the upstream
     * @param strikeAfter {@code IPLOOP_POOL_STRIKE_AFTER} (15 min): how long an account may stay over its
     *     pool thread limit before it is kicked
     * @param lockout {@code IPLOOP_POOL_LOCKOUT} (1 h): how long a kicked account is locked out
     */
    /** {@link #proxyProtocolTrusted()} as a list, blanks dropped; empty when unset. */
    public java.util.List<String> proxyProtocolTrustedNetworks() {
        return java.util.Arrays.stream(proxyProtocolTrusted.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public record Pool(
            @DefaultValue("4000-4999") String ports,
            @Nullable String bind,
            @DefaultValue("5s") Duration reloadInterval,
            @DefaultValue("30s") Duration reloadGrace,
            @DefaultValue("30s") Duration healthInterval,
            @DefaultValue("10s") Duration healthTimeout,
            @Nullable String probeUrl,
            @DefaultValue("15m") Duration strikeAfter,
            @DefaultValue("1h") Duration lockout,
            @DefaultValue("2") int healthFailures) {

        /** The defaults, as when nothing is set. */
        public static final Pool DEFAULTS = new Pool("4000-4999", null, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(10), null, Duration.ofMinutes(15), Duration.ofHours(1), 2);

        public Pool {
            if (bind != null && bind.isBlank()) {
                bind = null;
            }
            if (probeUrl != null && probeUrl.isBlank()) {
                probeUrl = null;
            }
            int[] range = parsePorts(ports);
            if (range == null) {
                throw new IllegalArgumentException("IPLOOP_POOL_PORTS: '" + ports
                        + "' (expected: FIRST-LAST with 1 <= FIRST <= LAST <= 65535, e.g. 4000-4999)");
            }
            positive("IPLOOP_POOL_RELOAD_INTERVAL", reloadInterval);
            if (reloadGrace.isNegative() || reloadGrace.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("IPLOOP_POOL_RELOAD_GRACE: " + reloadGrace + " (expected: 0s-1h)");
            }
            positive("IPLOOP_POOL_HEALTH_INTERVAL", healthInterval);
            positive("IPLOOP_POOL_HEALTH_TIMEOUT", healthTimeout);
            positive("IPLOOP_POOL_STRIKE_AFTER", strikeAfter);
            positive("IPLOOP_POOL_LOCKOUT", lockout);
            if (healthFailures < 1 || healthFailures > 100) {
                throw new IllegalArgumentException("IPLOOP_POOL_HEALTH_FAILURES: " + healthFailures
                        + " (expected: 1-100 consecutive failed checks before an upstream is marked down)");
            }
            if (probeUrl != null && !(probeUrl.startsWith("http://") && java.net.URI.create(probeUrl).getHost() != null)) {
                throw new IllegalArgumentException("IPLOOP_POOL_PROBE_URL: '" + probeUrl
                        + "' (expected: an http:// URL with a host)");
            }
        }

        private static void positive(String name, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
        }

        private static int @Nullable [] parsePorts(String ports) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([0-9]{1,5})\\s*-\\s*([0-9]{1,5})\\s*").matcher(ports);
            if (!m.matches()) {
                return null;
            }
            int first = Integer.parseInt(m.group(1));
            int last = Integer.parseInt(m.group(2));
            return first >= 1 && last <= 65535 && first <= last ? new int[] {first, last} : null;
        }

        /** The lowest pool port. */
        public int firstPort() {
            return java.util.Objects.requireNonNull(parsePorts(ports))[0];
        }

        /** The highest pool port. */
        public int lastPort() {
            return java.util.Objects.requireNonNull(parsePorts(ports))[1];
        }
    }

    /**
     * The Redis a clustered deployment shares state through (docs/sticky-sessions-redis.md). Unset
     * (the embedded default) nothing uses Redis; set, the gateway keeps its sticky sessions there
     * instead of in PostgreSQL.
     *
     * @param url {@code IPLOOP_REDIS_URL}: {@code redis://[:password@]host[:port][/database]} or
     *     {@code rediss://…} (TLS); null or blank = no Redis
     * @param keyPrefix {@code IPLOOP_REDIS_KEY_PREFIX} ({@code iploop:}): prefix of every key IPLoop
     *     writes, so several deployments (or test runs) can share one Redis; 1-64 characters
     */
    public record Redis(@Nullable String url, @DefaultValue("iploop:") String keyPrefix) {

        public Redis {
            if (url != null && url.isBlank()) {
                url = null;
            }
            if (url != null && !url.startsWith("redis://") && !url.startsWith("rediss://")) {
                throw new IllegalArgumentException("IPLOOP_REDIS_URL: must start with redis:// or rediss://"
                        + " (expected: redis://[:password@]host[:port][/database])");
            }
            if (keyPrefix.isEmpty() || keyPrefix.length() > 64 || keyPrefix.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IllegalArgumentException("IPLOOP_REDIS_KEY_PREFIX: '" + keyPrefix
                        + "' (expected: 1-64 printable ASCII characters without spaces)");
            }
        }

        /** True when a Redis is configured. */
        public boolean enabled() {
            return url != null;
        }
    }

    /**
     * The gateway's TLS entry points (docs/tls.md). A port of -1 leaves that listener out, 0 binds
     * an ephemeral one. Without certificate files the embedded default uses a self-signed
     * certificate it makes once in {@code DATA_DIR} ({@code gateway-tls-cert.pem}).
     *
     * @param proxyPort {@code IPLOOP_PROXY_TLS_PORT} (7778): HTTP proxy over TLS ({@code curl --proxy https://…})
     * @param socksPort {@code IPLOOP_SOCKS_TLS_PORT} (1081): SOCKS5 over TLS
     * @param nodeHubPort {@code IPLOOP_NODE_HUB_TLS_PORT} (8002): node hub over TLS ({@code wss://host:8002/ws})
     * @param certFile {@code IPLOOP_TLS_CERT_FILE}: PEM certificate chain, leaf first; with
     *     {@code keyFile}, or neither (self-signed)
     * @param keyFile {@code IPLOOP_TLS_KEY_FILE}: PEM private key (unencrypted PKCS#8)
     * @param reloadInterval {@code IPLOOP_TLS_RELOAD_INTERVAL} (10 s): how often the files are checked
     *     for a change; a changed pair is used for new connections; 1 s to 1 h
     */
    public record Tls(
            @DefaultValue("7778") int proxyPort,
            @DefaultValue("1081") int socksPort,
            @DefaultValue("8002") int nodeHubPort,
            @Nullable Path certFile,
            @Nullable Path keyFile,
            @DefaultValue("10s") Duration reloadInterval) {

        public Tls {
            checkPort("IPLOOP_PROXY_TLS_PORT", proxyPort);
            checkPort("IPLOOP_SOCKS_TLS_PORT", socksPort);
            checkPort("IPLOOP_NODE_HUB_TLS_PORT", nodeHubPort);
            if (certFile != null && certFile.toString().isBlank()) {
                certFile = null;
            }
            if (keyFile != null && keyFile.toString().isBlank()) {
                keyFile = null;
            }
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException(certFile == null
                        ? "IPLOOP_TLS_CERT_FILE: not set while IPLOOP_TLS_KEY_FILE is (expected: both or neither)"
                        : "IPLOOP_TLS_KEY_FILE: not set while IPLOOP_TLS_CERT_FILE is (expected: both or neither)");
            }
            checkFile("IPLOOP_TLS_CERT_FILE", certFile);
            checkFile("IPLOOP_TLS_KEY_FILE", keyFile);
            if (reloadInterval.compareTo(Duration.ofSeconds(1)) < 0 || reloadInterval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("IPLOOP_TLS_RELOAD_INTERVAL: " + reloadInterval + " (expected: 1s-1h)");
            }
        }

        /** Neither certificate file set: the embedded default's self-signed certificate is used. */
        public boolean selfSigned() {
            return certFile == null;
        }

        private static void checkPort(String name, int port) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535, or -1 for off)");
            }
        }

        private static void checkFile(String name, @Nullable Path file) {
            if (file != null && !java.nio.file.Files.isReadable(file)) {
                throw new IllegalArgumentException(name + ": " + file + " (expected: a readable PEM file)");
            }
        }
    }

    /**
     * Database connection. When {@code url} is blank an embedded PostgreSQL is started with its data
     * in {@code DATA_DIR/postgres}.
     *
     * @param url {@code IPLOOP_DB_URL}: JDBC URL of an external PostgreSQL, or blank
     * @param user {@code IPLOOP_DB_USER}
     * @param password {@code IPLOOP_DB_PASSWORD}
     * @param port {@code IPLOOP_DB_PORT}: fixed port for the embedded PostgreSQL, 0 = a free one
     */
    public record Db(@Nullable String url, @Nullable String user, @Nullable String password,
            @DefaultValue("0") int port) {

        /** True when an external database is configured. */
        public boolean external() {
            return url != null && !url.isBlank();
        }
    }

    public IploopProperties {
        if (ioThreads < 0) {
            throw new IllegalArgumentException("IPLOOP_IO_THREADS: " + ioThreads + " (expected: >= 0, 0 for one per core)");
        }
        if (maxNodeSessions < 0) {
            throw new IllegalArgumentException("IPLOOP_MAX_NODE_SESSIONS: " + maxNodeSessions
                    + " (expected: >= 0, 0 to derive it from the open-file limit)");
        }
        if (nodeOpenDeadline.toMillis() < 100 || nodeOpenDeadline.toMillis() > 15_000) {
            throw new IllegalArgumentException("IPLOOP_NODE_OPEN_DEADLINE: " + nodeOpenDeadline
                    + " (expected: 100ms-15s)");
        }
        if (geoipDb != null && geoipDb.toString().isBlank()) {
            geoipDb = null;
        }
        if (localNodeCountry != null && localNodeCountry.isBlank()) {
            localNodeCountry = null;
        }
    }

    /**
     * Whether the first start creates the demo customer: as {@code IPLOOP_DEMO_CUSTOMER} says, and
     * when unset only on the embedded database (someone trying the product out), never on a
     * production deployment with {@code IPLOOP_DB_URL} unless asked for.
     */
    public boolean createDemoCustomer() {
        return demoCustomer != null ? demoCustomer : !db.external();
    }

    /** Directory of the gateway's usage journal ({@code docs/operations.md#usage-journal}). */
    public Path usageJournalPath() {
        return dataPath().resolve("usage-journal");
    }

    /** The data directory as an absolute, normalised path. */
    public Path dataPath() {
        return dataDir.toAbsolutePath().normalize();
    }
}
