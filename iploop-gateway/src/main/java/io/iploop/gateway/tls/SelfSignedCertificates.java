package io.iploop.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-signed certificate of the embedded default (docs/tls.md#self-signed): made once, at the
 * first start without configured certificate files, by the JDK's own {@code keytool} (an EC P-256
 * key, valid 10 years, subject alternative names for {@code localhost}, {@code 127.0.0.1},
 * {@code ::1} and the given host names), and kept as {@value #CERT_FILE} (mode 644: clients pass it
 * as {@code --proxy-cacert}) and {@value #KEY_FILE} (mode 600) in the data directory. It is made
 * again only when it is missing, unreadable, expired or does not name one of the host names. No
 * certificate encoding of our own: keytool writes it, the JDK reads it back. Stateless.
 */
public final class SelfSignedCertificates {

    private static final Logger log = LoggerFactory.getLogger(SelfSignedCertificates.class);

    /** Certificate file name in the data directory. */
    public static final String CERT_FILE = "gateway-tls-cert.pem";
    /** Private key file name in the data directory. */
    public static final String KEY_FILE = "gateway-tls-key.pem";

    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final int VALIDITY_DAYS = 3650;
    /** A certificate expiring sooner than this is made again at start. */
    private static final long RENEW_BEFORE_MILLIS = TimeUnit.DAYS.toMillis(30);

    private SelfSignedCertificates() {}

    /** The certificate and key files. */
    public record Pair(Path certFile, Path keyFile) {}

    /**
     * Makes sure {@code dir} holds a usable self-signed pair covering {@code hostNames} (names or IP
     * literals; unusable ones are skipped with a warning), making a new one with keytool if not.
     *
     * @throws IOException if keytool is missing or fails, or the files cannot be written
     */
    public static Pair ensure(Path dir, Collection<String> hostNames) throws IOException {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        Set<String> names = names(hostNames);
        if (usable(cert, key, names)) {
            return new Pair(cert, key);
        }
        generate(dir, cert, key, names);
        return new Pair(cert, key);
    }

    /** localhost, 127.0.0.1, ::1 and the usable ones of {@code hostNames}, lower case, in order. */
    static Set<String> names(Collection<String> hostNames) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        for (String raw : hostNames) {
            String n = raw.strip().toLowerCase(Locale.ROOT);
            if (n.startsWith("[") && n.endsWith("]")) {
                n = n.substring(1, n.length() - 1);
            }
            if (n.isEmpty() || n.equals("0.0.0.0") || n.equals("::")) {
                continue;
            }
            if (isIp(n) || (n.length() <= 253 && DNS_NAME.matcher(n).matches())) {
                names.add(n);
            } else {
                log.warn("'{}' is not a host name or IP address: left out of the self-signed TLS certificate", raw);
            }
        }
        return names;
    }

    private static boolean isIp(String n) {
        if (!IP_LITERAL.matcher(n).matches() || !(n.contains(":") || n.matches("[0-9.]+"))) {
            return false;
        }
        try {
            // A literal only: getByName does no lookup for one.
            InetAddress.getByName(n);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean usable(Path cert, Path key, Set<String> names) {
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            if (c.getNotAfter().getTime() - System.currentTimeMillis() < RENEW_BEFORE_MILLIS) {
                log.info("The self-signed TLS certificate {} expires on {}: making a new one", cert, c.getNotAfter());
                return false;
            }
            Set<String> covered = covered(c);
            if (!covered.containsAll(names)) {
                Set<String> missing = new HashSet<>(names);
                missing.removeAll(covered);
                log.info("The self-signed TLS certificate {} does not name {}: making a new one", cert, missing);
                return false;
            }
            ServerTls.readKey(key);
            return true;
        } catch (IOException | GeneralSecurityException | ClassCastException e) {
            log.warn("The self-signed TLS certificate {} is not usable ({}): making a new one", cert, e.toString());
            return false;
        }
    }

    private static Set<String> covered(X509Certificate c) throws CertificateParsingException {
        Set<String> covered = new HashSet<>();
        Collection<List<?>> sans = c.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                String value = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                covered.add(value);
                if ((Integer) san.get(0) == 7) {
                    // IP addresses come back in their long form (0:0:0:0:0:0:0:1): add the short one.
                    try {
                        covered.add(InetAddress.getByName(value).getHostAddress().toLowerCase(Locale.ROOT));
                        if (value.equals("0:0:0:0:0:0:0:1")) {
                            covered.add("::1");
                        }
                    } catch (IOException ignored) {
                        // Not an address after all.
                    }
                }
            }
        }
        return covered;
    }

    private static void generate(Path dir, Path cert, Path key, Set<String> names) throws IOException {
        Files.createDirectories(dir);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("cannot make a self-signed TLS certificate: no keytool at " + keytool
                    + " (set IPLOOP_TLS_CERT_FILE and IPLOOP_TLS_KEY_FILE instead)");
        }
        Path store = dir.resolve(".gateway-tls-" + UUID.randomUUID() + ".p12");
        String password = UUID.randomUUID().toString();
        List<String> san = new ArrayList<>();
        for (String n : names) {
            san.add((isIp(n) ? "ip:" : "dns:") + n);
        }
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "gateway", "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=IPLoop gateway (self-signed)",
                "-ext", "SAN=" + String.join(",", san), "-validity", Integer.toString(VALIDITY_DAYS),
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password, "-keypass", password);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed to make the self-signed TLS certificate: " + out.strip());
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password.toCharArray());
            }
            Key k = ks.getKey("gateway", password.toCharArray());
            Certificate c = ks.getCertificate("gateway");
            if (!(k instanceof PrivateKey privateKey) || c == null) {
                throw new IOException("keytool made no key pair in " + store);
            }
            // The key first and private: the certificate alone is harmless.
            writeAtomically(key, pem("PRIVATE KEY", privateKey.getEncoded()), true);
            writeAtomically(cert, pem("CERTIFICATE", c.getEncoded()), false);
            log.info("Made a self-signed TLS certificate for {} in {}", names, cert);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the self-signed TLS certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the self-signed TLS certificate keytool made: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
        }
    }

    /** PEM armour (RFC 7468): base64 of the DER the JDK produced, 64 characters a line. */
    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
