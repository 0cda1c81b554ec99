package io.iploop.server.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.springframework.stereotype.Component;

/**
 * Secrets generated once into {@code DATA_DIR/secrets} (directory 700, files 600) and reused on
 * every start, never hard-coded (DESIGN §5): the JWT HMAC key and the AES-256 key for secrets at
 * rest. Immutable after construction; thread-safe.
 */
@Component
public final class PlatformSecrets {

    private final byte[] jwtHmacKey;
    private final byte[] encryptionKey;

    public PlatformSecrets(IploopProperties properties) {
        Path dir = properties.dataPath().resolve("secrets");
        try {
            createPrivateDirectory(dir);
            this.jwtHmacKey = loadOrCreate(dir.resolve("jwt-hmac.key"), 64);
            this.encryptionKey = loadOrCreate(dir.resolve("aes-256.key"), 32);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create secrets in " + dir, e);
        }
    }

    /** HMAC-SHA256 key for JWTs, 512 bits. A copy. */
    public byte[] jwtHmacKey() {
        return jwtHmacKey.clone();
    }

    /** AES-256-GCM key for payment details and TOTP secrets, 256 bits. A copy. */
    public byte[] encryptionKey() {
        return encryptionKey.clone();
    }

    /** Creates {@code dir} (and parents) with owner-only permissions where the file system allows. */
    public static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    /**
     * Writes {@code content} to a new file readable by the owner only (600).
     *
     * @throws FileAlreadyExistsException if the file exists
     */
    public static void writePrivateFile(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    private static byte[] loadOrCreate(Path file, int byteCount) throws IOException {
        if (!Files.exists(file)) {
            try {
                writePrivateFile(file, Base64.getEncoder().encodeToString(SecureTokens.randomBytes(byteCount)) + "\n");
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: use theirs
            }
        }
        byte[] key = Base64.getDecoder().decode(Files.readString(file).strip());
        if (key.length != byteCount) {
            throw new IOException(file + ": " + key.length + " bytes (expected: " + byteCount + ")");
        }
        return key;
    }
}
