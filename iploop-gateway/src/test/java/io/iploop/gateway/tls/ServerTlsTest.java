package io.iploop.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, checking and reloading the gateway's certificate files (docs/tls.md#certificates), and the self-signed default. */
class ServerTlsTest {

    @TempDir
    Path dir;

    @Test
    void theSelfSignedCertificateNamesTheLoopbackAndTheGivenHostsAndIsKeptUntilANameIsMissing() throws Exception {
        SelfSignedCertificates.Pair pair = SelfSignedCertificates.ensure(dir, List.of("proxy.example", "[::1]", "bad name!"));
        try (ServerTls tls = ServerTls.load(pair.certFile(), pair.keyFile(), null)) {
            X509Certificate c = tls.certificate();
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            assertThat(sans.stream().map(san -> String.valueOf(san.get(1))).toList())
                    .contains("localhost", "127.0.0.1", "proxy.example").doesNotContain("bad name!");
            assertThat(Files.getPosixFilePermissions(pair.keyFile())).hasSize(2);
        }
        String first = Files.readString(pair.certFile());
        SelfSignedCertificates.ensure(dir, List.of("proxy.example"));
        assertThat(Files.readString(pair.certFile())).as("kept: it names every host").isEqualTo(first);
        SelfSignedCertificates.ensure(dir, List.of("other.example"));
        assertThat(Files.readString(pair.certFile())).as("made again for a new public host").isNotEqualTo(first);
    }

    @Test
    void aKeyOfAnotherCertificateOrInAnotherPemFormIsRefusedNamingTheFile() throws Exception {
        SelfSignedCertificates.Pair a = SelfSignedCertificates.ensure(dir.resolve("a"), List.of());
        SelfSignedCertificates.Pair b = SelfSignedCertificates.ensure(dir.resolve("b"), List.of());
        assertThatThrownBy(() -> ServerTls.load(a.certFile(), b.keyFile(), null))
                .isInstanceOf(IOException.class).hasMessageContaining("does not belong").hasMessageContaining(b.keyFile().toString());
        Path pkcs1 = Files.writeString(dir.resolve("rsa.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ServerTls.load(a.certFile(), pkcs1, null))
                .hasMessageContaining("PKCS#1 / SEC1").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        Path notACert = Files.writeString(dir.resolve("cert.txt"), "hello");
        assertThatThrownBy(() -> ServerTls.load(notACert, a.keyFile(), null)).hasMessageContaining(notACert.toString());
    }

    @Test
    void aChangedPairIsLoadedForNewConnectionsAndAHalfReplacedOneIsNot() throws Exception {
        SelfSignedCertificates.Pair live = SelfSignedCertificates.ensure(dir.resolve("live"), List.of());
        SelfSignedCertificates.Pair next = SelfSignedCertificates.ensure(dir.resolve("next"), List.of());
        try (ServerTls tls = ServerTls.load(live.certFile(), live.keyFile(), null)) {
            X509Certificate old = tls.certificate();
            assertThat(tls.reloadIfChanged()).isFalse();

            // Only the key replaced: it belongs to no certificate on disk, the old pair stays in use.
            Files.copy(next.keyFile(), live.keyFile(), StandardCopyOption.REPLACE_EXISTING);
            touch(live.keyFile());
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(tls.certificate()).isEqualTo(old);

            Files.copy(next.certFile(), live.certFile(), StandardCopyOption.REPLACE_EXISTING);
            touch(live.certFile());
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(tls.certificate().getSerialNumber()).isNotEqualTo(old.getSerialNumber());
            assertThat(tls.reloadIfChanged()).isFalse();
        }
    }

    /** A distinct modification time even on file systems with coarse timestamps. */
    private static void touch(Path file) throws IOException {
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2_000));
    }
}
