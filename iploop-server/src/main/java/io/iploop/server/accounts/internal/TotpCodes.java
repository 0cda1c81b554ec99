package io.iploop.server.accounts.internal;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.samstevens.totp.code.CodeGenerator;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import dev.samstevens.totp.qr.QrData;
import dev.samstevens.totp.recovery.RecoveryCodeGenerator;
import dev.samstevens.totp.secret.DefaultSecretGenerator;
import io.iploop.server.platform.SecureTokens;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import javax.imageio.ImageIO;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * TOTP (RFC 6238) as authenticator apps do it: SHA-1, 6 digits, 30 s steps, 160-bit base32
 * secrets (docs/product/accounts.md#two-factor-authentication), with the {@code dev.samstevens.totp} library; QR codes drawn from
 * zxing's matrix. A code is accepted for the current step and one step either side (clock drift);
 * {@link #matchingStep} returns which step matched, so the caller can refuse a step already used.
 * Backup codes: 8 random codes of 16 characters ({@code xxxx-xxxx-xxxx-xxxx}, about 80 bits).
 * Stateless; thread-safe.
 */
@Component
class TotpCodes {

    static final int DIGITS = 6;
    static final int PERIOD_SECONDS = 30;
    static final int BACKUP_CODE_COUNT = 8;
    private static final String ISSUER = "IPLoop";
    /** Steps either side of the current one that are still accepted. */
    private static final int ALLOWED_DRIFT_STEPS = 1;
    private static final int QR_SIZE_PIXELS = 240;

    private final CodeGenerator generator = new DefaultCodeGenerator(HashingAlgorithm.SHA1, DIGITS);
    private final DefaultSecretGenerator secrets = new DefaultSecretGenerator(32);
    private final RecoveryCodeGenerator recoveryCodes = new RecoveryCodeGenerator();
    private final Clock clock;

    @Autowired
    TotpCodes() {
        this(Clock.systemUTC());
    }

    /** For tests: a fixed clock. */
    TotpCodes(Clock clock) {
        this.clock = clock;
    }

    /** A new random secret: 32 base32 characters (160 bits, RFC 4226's recommendation). */
    String newSecret() {
        return secrets.generate();
    }

    /** The {@code otpauth://} URI authenticator apps import, labelled with the account's e-mail. */
    String otpauthUri(String secret, String accountEmail) {
        return new QrData.Builder()
                .label(accountEmail)
                .secret(secret)
                .issuer(ISSUER)
                .algorithm(HashingAlgorithm.SHA1)
                .digits(DIGITS)
                .period(PERIOD_SECONDS)
                .build()
                .getUri();
    }

    /** {@code text} as a QR code PNG, as a {@code data:image/png;base64,…} URI. */
    static String qrCodeDataUri(String text) {
        try {
            BitMatrix matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, QR_SIZE_PIXELS, QR_SIZE_PIXELS,
                    Map.of(EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name(), EncodeHintType.MARGIN, 2));
            BufferedImage image = new BufferedImage(matrix.getWidth(), matrix.getHeight(), BufferedImage.TYPE_BYTE_BINARY);
            for (int y = 0; y < matrix.getHeight(); y++) {
                for (int x = 0; x < matrix.getWidth(); x++) {
                    image.setRGB(x, y, matrix.get(x, y) ? 0x000000 : 0xFFFFFF);
                }
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png.toByteArray());
        } catch (WriterException e) {
            throw new IllegalArgumentException("text: too long for a QR code", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current RFC 6238 time step (Unix seconds / 30). */
    long currentStep() {
        return Math.floorDiv(clock.millis() / 1000, PERIOD_SECONDS);
    }

    /**
     * The time step whose code equals {@code code} among the current step ±1, compared in constant
     * time; empty when none does or {@code code} is not 6 digits.
     */
    OptionalLong matchingStep(String secret, String code) {
        if (code.length() != DIGITS || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long now = currentStep();
        OptionalLong match = OptionalLong.empty();
        for (long step = now - ALLOWED_DRIFT_STEPS; step <= now + ALLOWED_DRIFT_STEPS; step++) {
            if (MessageDigest.isEqual(codeAt(secret, step).getBytes(StandardCharsets.US_ASCII),
                    code.getBytes(StandardCharsets.US_ASCII)) && match.isEmpty()) {
                match = OptionalLong.of(step);
            }
        }
        return match;
    }

    /** The code for {@code secret} at time step {@code step}. */
    String codeAt(String secret, long step) {
        try {
            return generator.generate(secret, step);
        } catch (CodeGenerationException e) {
            throw new IllegalArgumentException("secret: not a valid base32 TOTP secret", e);
        }
    }

    /** {@value #BACKUP_CODE_COUNT} new backup codes, {@code xxxx-xxxx-xxxx-xxxx} (lower case, digits). */
    List<String> newBackupCodes() {
        return Arrays.asList(recoveryCodes.generateCodes(BACKUP_CODE_COUNT));
    }

    /** The stored form of a backup code: SHA-256 of it without dashes or spaces, lower case. */
    static String backupCodeHash(String code) {
        return SecureTokens.sha256Hex(code.replace("-", "").replace(" ", "").strip().toLowerCase(Locale.ROOT));
    }
}
