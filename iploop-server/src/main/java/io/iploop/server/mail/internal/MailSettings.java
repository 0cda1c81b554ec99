package io.iploop.server.mail.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.mail.*}, fed by environment variables in {@code application.properties}. Immutable.
 *
 * @param smtpHost {@code IPLOOP_SMTP_HOST}: SMTP server; blank = dev mailbox (embedded default)
 * @param smtpPort {@code IPLOOP_SMTP_PORT} (587)
 * @param smtpUser {@code IPLOOP_SMTP_USER}: blank = no SMTP authentication
 * @param smtpPassword {@code IPLOOP_SMTP_PASSWORD}
 * @param smtpStarttls {@code IPLOOP_SMTP_STARTTLS} (true): use STARTTLS when the server offers it
 * @param from {@code IPLOOP_SMTP_FROM}: sender address
 * @param pollInterval {@code IPLOOP_MAIL_POLL_INTERVAL} (500 ms): how often the worker looks for due mail
 * @param maxAttempts attempts before a message is given up as {@code failed}
 */
@ConfigurationProperties("iploop.mail")
record MailSettings(
        @Nullable String smtpHost,
        @DefaultValue("587") int smtpPort,
        @Nullable String smtpUser,
        @Nullable String smtpPassword,
        @DefaultValue("true") boolean smtpStarttls,
        @DefaultValue("IPLoop <no-reply@iploop.local>") String from,
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("8") int maxAttempts) {

    /** True when an SMTP server is configured. */
    boolean smtp() {
        return smtpHost != null && !smtpHost.isBlank();
    }
}
