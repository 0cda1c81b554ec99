package io.iploop.gateway;

import io.iploop.gateway.tls.SelfSignedCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;

/**
 * Which TLS entry points the gateway opens and with which certificate (docs/tls.md). A port of
 * {@value #OFF} leaves that listener out; 0 binds an ephemeral port (tests). Immutable.
 *
 * @param httpsProxyPort HTTP proxy over TLS (absolute-form and CONNECT inside), default 7778
 * @param socksTlsPort SOCKS5 over TLS, default 1081
 * @param nodeHubTlsPort node hub over TLS ({@code wss://host:port/ws}), default 8002
 * @param certFile PEM certificate chain, leaf first
 * @param keyFile PEM private key of the leaf, PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted
 * @param reloadInterval how often the two files are checked for a change (modification time and
 *     size); a changed pair that loads is used for new connections, open ones keep theirs
 */
public record TlsListeners(int httpsProxyPort, int socksTlsPort, int nodeHubTlsPort, Path certFile, Path keyFile,
        Duration reloadInterval) {

    /** A port value that leaves the listener out. */
    public static final int OFF = -1;
    /** Default of {@link #reloadInterval()}. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

    public TlsListeners {
        checkPort("httpsProxyPort", httpsProxyPort);
        checkPort("socksTlsPort", socksTlsPort);
        checkPort("nodeHubTlsPort", nodeHubTlsPort);
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        if (reloadInterval.isNegative() || reloadInterval.isZero()) {
            throw new IllegalArgumentException("reloadInterval: " + reloadInterval + " (expected: > 0)");
        }
    }

    /** The production default ports with these files, checked every {@link #DEFAULT_RELOAD_INTERVAL}. */
    public static TlsListeners defaults(Path certFile, Path keyFile) {
        return new TlsListeners(7778, 1081, 8002, certFile, keyFile, DEFAULT_RELOAD_INTERVAL);
    }

    /**
     * These ports with the embedded default's self-signed certificate in {@code dir}
     * ({@code gateway-tls-cert.pem} and {@code gateway-tls-key.pem}, docs/tls.md#self-signed): made
     * with the JDK's keytool when missing, expired or not naming every one of {@code hostNames}
     * (besides localhost, 127.0.0.1 and ::1).
     *
     * @throws IOException if keytool is missing or fails, or the files cannot be written
     */
    public static TlsListeners selfSigned(int httpsProxyPort, int socksTlsPort, int nodeHubTlsPort, Path dir,
            Collection<String> hostNames, Duration reloadInterval) throws IOException {
        SelfSignedCertificates.Pair pair = SelfSignedCertificates.ensure(dir, hostNames);
        return new TlsListeners(httpsProxyPort, socksTlsPort, nodeHubTlsPort, pair.certFile(), pair.keyFile(), reloadInterval);
    }

    private static void checkPort(String name, int port) {
        if (port < OFF || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535, or -1 for off)");
        }
    }
}
