package io.iploop.server.mail.internal;

import io.iploop.server.mail.OutgoingMail;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Picks the transport: SMTP through Spring Mail when {@code IPLOOP_SMTP_HOST} is set, otherwise the
 * dev mailbox (the worker only marks the outbox row as delivered there; admins read it over the API).
 */
@Configuration(proxyBeanMethods = false)
class MailConfig {

    private static final Logger log = LoggerFactory.getLogger(MailConfig.class);

    @Bean
    MailTransport mailTransport(MailSettings settings) {
        if (!settings.smtp()) {
            log.info("No SMTP server configured (IPLOOP_SMTP_HOST): e-mail goes to the dev mailbox (admin page "
                    + "/admin/mailbox, GET /api/admin/dev-mailbox) and each message's subject and links to this log");
            return new MailTransport() {
                @Override
                public String name() {
                    return "dev_mailbox";
                }

                @Override
                public void deliver(OutgoingMail mail) {
                    // The outbox row itself is the stored message; the log line is for a self-hoster
                    // without SMTP who has not signed in as an admin yet (docs/product/accounts.md#e-mail-verification).
                    log.info("Mail (no SMTP, dev mailbox at /admin/mailbox) to {}: \"{}\"{}", mail.to(), mail.subject(),
                            DevMailLog.links(mail.body()));
                }
            };
        }
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost(settings.smtpHost());
        sender.setPort(settings.smtpPort());
        sender.setDefaultEncoding(StandardCharsets.UTF_8.name());
        Properties props = sender.getJavaMailProperties();
        if (settings.smtpUser() != null && !settings.smtpUser().isBlank()) {
            sender.setUsername(settings.smtpUser());
            sender.setPassword(settings.smtpPassword());
            props.put("mail.smtp.auth", "true");
        }
        props.put("mail.smtp.starttls.enable", Boolean.toString(settings.smtpStarttls()));
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "10000");
        props.put("mail.smtp.writetimeout", "10000");
        log.info("E-mail goes out over SMTP {}:{}", settings.smtpHost(), settings.smtpPort());
        return new MailTransport() {
            @Override
            public String name() {
                return "smtp";
            }

            @Override
            public void deliver(OutgoingMail mail) {
                SimpleMailMessage message = new SimpleMailMessage();
                message.setFrom(settings.from());
                message.setTo(mail.to());
                message.setSubject(mail.subject());
                message.setText(mail.body());
                sender.send(message);
            }
        };
    }
}
