package io.iploop.server.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Secrets generated once into {@code DATA_DIR/secrets} (directory 700, files 600) and reused on
 * every start, never hard-coded (docs/security.md#accounts-and-access-the-control-plane): the JWT
 * HMAC key and the AES-256 key for secrets at
 * rest, with {@link #encrypt}/{@link #decrypt} (AES-256-GCM) for values such as TOTP secrets.
 * Immutable after construction; thread-safe.
 */
@Component
public final class PlatformSecrets {

    /** Version prefix of {@link #encrypt}'s output, so the scheme can change later. */
    private static final String CIPHERTEXT_PREFIX = "v1:";
    private static final int GCM_IV_BYTES = 12;
    private static final int GCM_TAG_BITS = 128;

    private final byte[] jwtHmacKey;
    private final byte[] encryptionKey;

    /** For tests: fixed keys (64 and 32 bytes). */
    public PlatformSecrets(byte[] jwtHmacKey, byte[] encryptionKey) {
        if (jwtHmacKey.length != 64 || encryptionKey.length != 32) {
            throw new IllegalArgumentException("keys: " + jwtHmacKey.length + " and " + encryptionKey.length
                    + " bytes (expected: 64 and 32)");
        }
        this.jwtHmacKey = jwtHmacKey.clone();
        this.encryptionKey = encryptionKey.clone();
    }

    @Autowired
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

    /**
     * Encrypts {@code plaintext} with AES-256-GCM under the encryption key and a fresh random
     * 96-bit IV. {@code associatedData} (e.g. the owning user's id) is authenticated but not stored:
     * {@link #decrypt} needs the same value, so a ciphertext copied to another row does not decrypt.
     *
     * @return {@code v1:} + base64(IV ‖ ciphertext ‖ tag)
     */
    public String encrypt(String plaintext, String associatedData) {
        byte[] iv = SecureTokens.randomBytes(GCM_IV_BYTES);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, iv, associatedData, plaintext.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[iv.length + sealed.length];
        System.arraycopy(iv, 0, out, 0, iv.length);
        System.arraycopy(sealed, 0, out, iv.length, sealed.length);
        return CIPHERTEXT_PREFIX + Base64.getEncoder().encodeToString(out);
    }

    /**
     * Reverses {@link #encrypt}.
     *
     * @throws IllegalArgumentException when {@code ciphertext} is malformed, was made under another
     *     key or with other associated data, or was tampered with
     */
    public String decrypt(String ciphertext, String associatedData) {
        if (!ciphertext.startsWith(CIPHERTEXT_PREFIX)) {
            throw new IllegalArgumentException("ciphertext: unknown format (expected: " + CIPHERTEXT_PREFIX + "…)");
        }
        byte[] in = Base64.getDecoder().decode(ciphertext.substring(CIPHERTEXT_PREFIX.length()));
        if (in.length < GCM_IV_BYTES + GCM_TAG_BITS / 8) {
            throw new IllegalArgumentException("ciphertext: " + in.length + " bytes (too short)");
        }
        byte[] iv = Arrays.copyOfRange(in, 0, GCM_IV_BYTES);
        byte[] sealed = Arrays.copyOfRange(in, GCM_IV_BYTES, in.length);
        return new String(crypt(Cipher.DECRYPT_MODE, iv, associatedData, sealed), StandardCharsets.UTF_8);
    }

    private byte[] crypt(int mode, byte[] iv, String associatedData, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(encryptionKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, iv));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("ciphertext: authentication failed (wrong key, data or tampered)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
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
