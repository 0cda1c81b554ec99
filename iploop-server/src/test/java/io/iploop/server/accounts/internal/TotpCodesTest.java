package io.iploop.server.accounts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TotpCodesTest {

    /** RFC 6238 appendix B's SHA-1 seed "12345678901234567890" in base32. */
    private static final String RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private static TotpCodes at(long epochSecond) {
        return new TotpCodes(Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    @Test
    void matchesRfc6238TestVectorsTruncatedToSixDigits() {
        assertThat(at(59).codeAt(RFC_SECRET, 1)).isEqualTo("287082");
        assertThat(at(1111111109).codeAt(RFC_SECRET, 1111111109 / 30)).isEqualTo("081804");
        assertThat(at(1234567890).codeAt(RFC_SECRET, 1234567890 / 30)).isEqualTo("005924");
    }

    @Test
    void acceptsOneStepOfDriftEitherSideAndSaysWhichStep() {
        TotpCodes totp = at(1111111109);
        long now = 1111111109 / 30;
        assertThat(totp.matchingStep(RFC_SECRET, totp.codeAt(RFC_SECRET, now))).hasValue(now);
        assertThat(totp.matchingStep(RFC_SECRET, totp.codeAt(RFC_SECRET, now - 1))).hasValue(now - 1);
        assertThat(totp.matchingStep(RFC_SECRET, totp.codeAt(RFC_SECRET, now + 1))).hasValue(now + 1);
        assertThat(totp.matchingStep(RFC_SECRET, totp.codeAt(RFC_SECRET, now + 3))).isEmpty();
        assertThat(totp.matchingStep(RFC_SECRET, "12a456")).isEmpty();
        assertThat(totp.matchingStep(RFC_SECRET, "1234567")).isEmpty();
    }

    @Test
    void secretsUriQrAndBackupCodes() {
        TotpCodes totp = at(0);
        String secret = totp.newSecret();
        assertThat(secret).matches("[A-Z2-7]{32}").isNotEqualTo(totp.newSecret());
        assertThat(totp.otpauthUri(secret, "a@b.example")).startsWith("otpauth://totp/").contains("secret=" + secret);
        assertThat(TotpCodes.qrCodeDataUri("otpauth://totp/x")).startsWith("data:image/png;base64,iVBORw0KGgo");
        assertThat(totp.newBackupCodes()).hasSize(8).doesNotHaveDuplicates();
        assertThat(TotpCodes.backupCodeHash("ABCD-efgh-1234-5678")).isEqualTo(TotpCodes.backupCodeHash("abcdefgh12345678"));
    }
}
