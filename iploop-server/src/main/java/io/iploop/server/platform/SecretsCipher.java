package io.iploop.server.platform;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * AES-256-GCM for sensitive data at rest (payment details, TOTP secrets; DESIGN §5) under the key
 * of {@link PlatformSecrets}. Output is {@code v1:} + Base64(12-byte random nonce + ciphertext +
 * 16-byte tag). The associated data (for example the owning user's id) is authenticated but not
 * stored: a ciphertext copied to another owner's row fails to decrypt. Thread-safe (a new
 * {@link Cipher} per call).
 */
@Component
public final class SecretsCipher {

    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;

    @Autowired
    public SecretsCipher(PlatformSecrets secrets) {
        this.key = keySpec(secrets.encryptionKey());
    }

    private SecretsCipher(SecretKeySpec key) {
        this.key = key;
    }

    /** A cipher with this raw 256-bit key (tests, tools). */
    public static SecretsCipher withKey(byte[] key) {
        return new SecretsCipher(keySpec(key));
    }

    private static SecretKeySpec keySpec(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: 32)");
        }
        return new SecretKeySpec(key.clone(), "AES");
    }

    /** Encrypts {@code plaintext} (UTF-8) bound to {@code associatedData}; a fresh nonce every call. */
    public String encrypt(String plaintext, String associatedData) {
        byte[] nonce = SecureTokens.randomBytes(NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Decrypts what {@link #encrypt} produced with the same associated data.
     *
     * @throws IllegalArgumentException when the value is malformed, was made under another key or
     *     associated data, or was tampered with
     */
    public String decrypt(String sealed, String associatedData) {
        if (!sealed.startsWith(PREFIX)) {
            throw new IllegalArgumentException("sealed value: unknown format (expected: " + PREFIX + "…)");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sealed value: not Base64", e);
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("sealed value: " + in.length + " bytes (too short)");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("sealed value: authentication failed (wrong key, owner or tampered)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}
