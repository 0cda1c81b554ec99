package io.iploop.gateway.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's server certificate, from a PEM certificate chain and a PEM private key, and the
 * Netty {@link SslContext} made of them (docs/tls.md#certificates). The files are checked every
 * reload interval (modification time and size of both); a changed pair that loads and matches
 * (the key signs what the leaf's public key verifies) replaces the context for <em>new</em>
 * connections, open ones keep the one they were accepted with. A pair that does not load (one file
 * replaced, the other not yet) is logged at warn once and the previous context stays in use.
 *
 * <p>Thread-safe: {@link #newHandler} may be called from any event loop while a reload runs on
 * this object's own thread.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final Path certFile;
    private final Path keyFile;
    private volatile Loaded current;
    /** The file state of the last failed attempt: not retried (nor logged) until the files change. */
    private @Nullable FileState failed;
    private final @Nullable ScheduledExecutorService reloader;

    /** What one successful load produced. */
    private record Loaded(SslContext context, List<X509Certificate> chain, FileState files) {}

    /** Modification times and sizes of the pair: a change of either means "load again". */
    private record FileState(long certModified, long certSize, long keyModified, long keySize) {
        static FileState of(Path cert, Path key) throws IOException {
            BasicFileAttributes c = Files.readAttributes(cert, BasicFileAttributes.class);
            BasicFileAttributes k = Files.readAttributes(key, BasicFileAttributes.class);
            return new FileState(c.lastModifiedTime().toMillis(), c.size(), k.lastModifiedTime().toMillis(), k.size());
        }
    }

    private ServerTls(Path certFile, Path keyFile, Loaded first, @Nullable Duration reloadInterval) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.current = first;
        if (reloadInterval == null) {
            this.reloader = null;
        } else {
            this.reloader = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("iploop-tls-reload").daemon(true).factory());
            long millis = reloadInterval.toMillis();
            reloader.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Loads the pair and, when {@code reloadInterval} is not null, checks it for changes that often.
     *
     * @throws IOException naming the file and what is wrong with it (missing, not PEM, a PKCS#1 /
     *     SEC1 or encrypted key, a key that does not belong to the certificate)
     */
    public static ServerTls load(Path certFile, Path keyFile, @Nullable Duration reloadInterval) throws IOException {
        Path cert = certFile.toAbsolutePath().normalize();
        Path key = keyFile.toAbsolutePath().normalize();
        return new ServerTls(cert, key, loadPair(cert, key), reloadInterval);
    }

    /**
     * A new server-side TLS handler with the current certificate; {@code handshakeTimeoutMillis}
     * bounds the handshake (a client that sends no ClientHello is closed after it).
     */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
        SslHandler h = current.context().newHandler(alloc);
        h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return h;
    }

    /** The certificate new connections are given (leaf). */
    public X509Certificate certificate() {
        return current.chain().getFirst();
    }

    /** The PEM certificate file, absolute (what a client passes as {@code --proxy-cacert} for a self-signed one). */
    public Path certFile() {
        return certFile;
    }

    /**
     * Loads the pair again if either file changed since the last attempt.
     *
     * @return true if new connections now get a new certificate
     */
    public synchronized boolean reloadIfChanged() {
        FileState state;
        try {
            state = FileState.of(certFile, keyFile);
        } catch (IOException e) {
            // Being replaced (moved away and back): try again at the next check.
            return false;
        }
        if (state.equals(current.files()) || state.equals(failed)) {
            return false;
        }
        try {
            Loaded loaded = loadPair(certFile, keyFile);
            current = loaded;
            failed = null;
            log.info("TLS certificate reloaded from {}: {} (valid until {})", certFile,
                    loaded.chain().getFirst().getSubjectX500Principal(), loaded.chain().getFirst().getNotAfter());
            return true;
        } catch (IOException e) {
            failed = state;
            log.warn("TLS certificate not reloaded, the previous one stays in use: {}", e.getMessage());
            return false;
        }
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            log.warn("TLS certificate reload failed", e);
        }
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }

    private static Loaded loadPair(Path cert, Path key) throws IOException {
        // State first: a file changed while we read it then differs from what we recorded, and is read again.
        FileState state;
        try {
            state = FileState.of(cert, key);
        } catch (IOException e) {
            throw new IOException("TLS certificate or key file not readable: " + e.getMessage(), e);
        }
        List<X509Certificate> chain = readChain(cert);
        PrivateKey privateKey = readKey(key);
        checkPair(cert, key, chain.getFirst(), privateKey);
        Date notAfter = chain.getFirst().getNotAfter();
        if (notAfter.before(new Date())) {
            log.warn("TLS certificate in {} expired on {}; clients will refuse it", cert, notAfter);
        }
        try {
            SslContext context = SslContextBuilder.forServer(privateKey, chain).build();
            return new Loaded(context, chain, state);
        } catch (SSLException e) {
            throw new IOException("TLS certificate " + cert + " / key " + key + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readChain(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new IOException("TLS certificate file " + file + ": no certificate (expected: PEM, BEGIN CERTIFICATE)");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IOException("TLS certificate file " + file + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
        }
    }

    /** Reads an unencrypted PKCS#8 PEM key; other PEM kinds get an error that says how to convert them. */
    static PrivateKey readKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = from < 0 ? -1 : pem.indexOf(end, from);
        if (from < 0 || to < 0) {
            String kind = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key"
                    : pem.contains("RSA PRIVATE KEY") || pem.contains("EC PRIVATE KEY") ? "a PKCS#1 / SEC1 key"
                    : "no PEM private key";
            throw new IOException("TLS key file " + file + ": " + kind
                    + " (expected: unencrypted PKCS#8, BEGIN PRIVATE KEY; convert with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8')");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException("TLS key file " + file + ": bad base64 (" + e.getMessage() + ")", e);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // Not this algorithm.
            }
        }
        throw new IOException("TLS key file " + file + ": not an EC, RSA or EdDSA PKCS#8 key");
    }

    /** The key must be the leaf's: sign with it, verify with the certificate. */
    private static void checkPair(Path cert, Path key, X509Certificate leaf, PrivateKey privateKey) throws IOException {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "iploop tls key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IOException("TLS key file " + key + " does not belong to the first certificate in " + cert);
        }
    }

    @Override
    public String toString() {
        return "ServerTls[" + Objects.toString(certFile) + "]";
    }
}
