package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The payment webhook's signature (docs/campaigns.md#funding): header
 * {@value #HEADER}{@code : t=<unix seconds>,v1=<hex>} where {@code v1} is
 * HMAC-SHA256(secret, {@code "<t>." + raw body}). Several {@code v1} entries are allowed (secret
 * rotation on the provider's side). Compared in constant time. Stateless, thread-safe.
 */
final class PaymentSignature {

    /** The request header carrying the signature. */
    static final String HEADER = "X-IPLoop-Payment-Signature";

    private PaymentSignature() {}

    /** The header value for {@code body} signed at {@code at} (for tests and provider-side tooling). */
    static String sign(String secret, long at, byte[] body) {
        return "t=" + at + ",v1=" + HexFormat.of().formatHex(hmac(secret, at, body));
    }

    /**
     * Checks {@code header} against {@code body}.
     *
     * @throws CampaignsException {@code INVALID_SIGNATURE} when the header is missing or malformed, no
     *     {@code v1} matches, or {@code t} is more than {@code tolerance} from {@code now}
     */
    static void verify(String secret, @Nullable String header, byte[] body, Instant now, Duration tolerance) {
        if (header == null || header.isBlank()) {
            throw invalid(HEADER + " is missing");
        }
        Long t = null;
        boolean matched = false;
        for (String part : header.split(",")) {
            String p = part.strip();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    throw invalid("t must be a unix time in seconds");
                }
            }
        }
        if (t == null) {
            throw invalid(HEADER + " has no t=<unix seconds>");
        }
        if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            throw invalid("the signature's timestamp is more than " + tolerance.toSeconds() + " s from the server's clock");
        }
        byte[] expected = hmac(secret, t, body);
        for (String part : header.split(",")) {
            String p = part.strip();
            if (p.startsWith("v1=")) {
                byte[] given;
                try {
                    given = HexFormat.of().parseHex(p.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                matched |= MessageDigest.isEqual(expected, given);
            }
        }
        if (!matched) {
            throw invalid("no v1 signature matches the body");
        }
    }

    private static byte[] hmac(String secret, long at, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((at + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static CampaignsException invalid(String message) {
        return new CampaignsException(Reason.INVALID_SIGNATURE, message, HEADER);
    }
}
