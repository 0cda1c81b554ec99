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
 * @param signupsPerIp self-registrations from one client IP per {@code signupWindow}; 0 = no limit
 *     (docs/product/accounts.md#registration)
 * @param signupsPerDomain self-registrations per e-mail domain (the part after {@code @}) per
 *     {@code signupWindow}; 0 = no limit
 * @param signupWindow the period the two sign-up limits refill over (greedily)
 */
@ConfigurationProperties("iploop.accounts")
record AccountsSettings(
        @DefaultValue("http://127.0.0.1:8080") String publicUrl,
        @DefaultValue("5") int maxFailuresPerEmail,
        @DefaultValue("100") int maxFailuresPerIp,
        @DefaultValue("15m") Duration failureWindow,
        @DefaultValue("15m") Duration emailLockDuration,
        @DefaultValue("1h") Duration ipBlockDuration,
        @DefaultValue("10") int signupsPerIp,
        @DefaultValue("100") int signupsPerDomain,
        @DefaultValue("1h") Duration signupWindow) {

    AccountsSettings {
        if (maxFailuresPerEmail < 1) {
            throw new IllegalArgumentException("maxFailuresPerEmail: " + maxFailuresPerEmail + " (expected: >= 1)");
        }
        if (maxFailuresPerIp < 1) {
            throw new IllegalArgumentException("maxFailuresPerIp: " + maxFailuresPerIp + " (expected: >= 1)");
        }
        if (signupsPerIp < 0 || signupsPerDomain < 0) {
            throw new IllegalArgumentException("signupsPerIp: " + signupsPerIp + ", signupsPerDomain: " + signupsPerDomain
                    + " (expected: >= 0, 0 = no limit)");
        }
        if (signupWindow.isNegative() || signupWindow.isZero()) {
            throw new IllegalArgumentException("signupWindow: " + signupWindow + " (expected: > 0)");
        }
        while (publicUrl.endsWith("/")) {
            publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
        }
    }
}
