package io.iploop.server.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.campaigns.CampaignsException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The payment webhook's signature (docs/campaigns.md#funding): good, tampered, wrong secret, expired, malformed. */
class PaymentSignatureTest {

    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final byte[] BODY = "{\"id\":\"evt_1\",\"amount\":\"10.00\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");

    @Test
    void aSignatureOverTheRawBodyWithinTheToleranceIsAccepted() {
        String header = PaymentSignature.sign("s3cret", NOW.getEpochSecond() - 290, BODY);
        assertThatCode(() -> PaymentSignature.verify("s3cret", header, BODY, NOW, TOLERANCE)).doesNotThrowAnyException();
        // a rotated secret: any v1 entry may match
        String two = "t=" + NOW.getEpochSecond() + ",v1=00ff," + PaymentSignature.sign("s3cret", NOW.getEpochSecond(), BODY)
                .split(",")[1];
        assertThatCode(() -> PaymentSignature.verify("s3cret", two, BODY, NOW, TOLERANCE)).doesNotThrowAnyException();
    }

    @Test
    void aTamperedBodyAWrongSecretAnOldTimestampOrAMissingHeaderIsRefused() {
        String header = PaymentSignature.sign("s3cret", NOW.getEpochSecond(), BODY);
        byte[] tampered = "{\"id\":\"evt_1\",\"amount\":\"99.00\"}".getBytes(StandardCharsets.UTF_8);
        assertRefused(header, tampered, "no v1 signature matches");
        assertRefused(PaymentSignature.sign("other", NOW.getEpochSecond(), BODY), BODY, "no v1 signature matches");
        assertRefused(PaymentSignature.sign("s3cret", NOW.getEpochSecond() - 301, BODY), BODY, "more than 300 s");
        assertRefused(PaymentSignature.sign("s3cret", NOW.getEpochSecond() + 301, BODY), BODY, "more than 300 s");
        assertRefused(null, BODY, "missing");
        assertRefused("v1=abcd", BODY, "no t=");
        assertRefused("t=abc,v1=abcd", BODY, "unix time");
        assertRefused("t=" + NOW.getEpochSecond() + ",v1=zz", BODY, "no v1 signature matches");
    }

    private static void assertRefused(String header, byte[] body, String message) {
        assertThatThrownBy(() -> PaymentSignature.verify("s3cret", header, body, NOW, TOLERANCE))
                .isInstanceOf(CampaignsException.class).hasMessageContaining(message)
                .extracting(e -> ((CampaignsException) e).reason()).isEqualTo(CampaignsException.Reason.INVALID_SIGNATURE);
    }
}
