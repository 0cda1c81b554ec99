package io.iploop.server.accounts.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.accounts.*}. Immutable.
 *
 * @param publicUrl {@code IPLOOP_PUBLIC_URL}: base URL of the dashboard, used in mailed links
 * @param maxFailuresPerEmail failed logins for one e-mail within {@code failureWindow} that lock it
 *     for {@code emailLockDuration} (a lockout is required by docs/product/accounts.md#brute-force-protection; the numbers are ours)
 * @param maxFailuresPerIp failed logins from one IP within {@code failureWindow} that block it for
 *     {@code ipBlockDuration} (docs/product/accounts.md#brute-force-protection: 100 per hour)
 */
@ConfigurationProperties("iploop.accounts")
record AccountsSettings(
        @DefaultValue("http://127.0.0.1:8080") String publicUrl,
        @DefaultValue("5") int maxFailuresPerEmail,
        @DefaultValue("100") int maxFailuresPerIp,
        @DefaultValue("15m") Duration failureWindow,
        @DefaultValue("15m") Duration emailLockDuration,
        @DefaultValue("1h") Duration ipBlockDuration) {

    AccountsSettings {
        if (maxFailuresPerEmail < 1) {
            throw new IllegalArgumentException("maxFailuresPerEmail: " + maxFailuresPerEmail + " (expected: >= 1)");
        }
        if (maxFailuresPerIp < 1) {
            throw new IllegalArgumentException("maxFailuresPerIp: " + maxFailuresPerIp + " (expected: >= 1)");
        }
        while (publicUrl.endsWith("/")) {
            publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
        }
    }
}
