package io.iploop.server.mail;

import static io.iploop.server.testing.Api.registerCustomer;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Mail that cannot be delivered stays in the outbox and is retried with backoff
 * (docs/architecture.md#rules). Its own
 * context whose SMTP port has no server until the test starts one.
 */
@ServerTest
class MailRetryIT {

    private static final int SMTP_PORT = freePort();

    @DynamicPropertySource
    static void smtpNotYetListening(DynamicPropertyRegistry r) {
        try {
            SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-mailretry-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("iploop.mail.smtp-host", () -> "127.0.0.1");
        r.add("iploop.mail.smtp-port", () -> Integer.toString(SMTP_PORT));
        r.add("iploop.mail.smtp-starttls", () -> "false");
    }

    @Autowired
    JdbcClient jdbc;

    @Test
    void undeliverableMailIsRetriedUntilTheServerAnswers() {
        String email = registerCustomer().at("/user/email").asString();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> attempts(email) >= 1);
        assertThat(jdbc.sql("SELECT status FROM mail_outbox WHERE recipient = :to").param("to", email)
                .query(String.class).single()).isEqualTo("pending");
        assertThat(jdbc.sql("SELECT next_attempt_at > now() + interval '5 seconds' FROM mail_outbox WHERE recipient = :to")
                .param("to", email).query(Boolean.class).single()).as("backs off").isTrue();

        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.port(SMTP_PORT));
        smtp.start();
        try {
            jdbc.sql("UPDATE mail_outbox SET next_attempt_at = now() WHERE recipient = :to").param("to", email).update();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> smtp.getReceivedMessagesForDomain(email).length == 1);
            // the worker marks the row sent after the SMTP server has taken the message: wait for it
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql(
                    "SELECT status FROM mail_outbox WHERE recipient = :to").param("to", email)
                    .query(String.class).single().equals("sent"));
            assertThat(smtp.getReceivedMessagesForDomain(email)).hasSize(1);
            assertThat(attempts(email)).isEqualTo(2);
        } finally {
            smtp.stop();
        }
    }

    private int attempts(String email) {
        return jdbc.sql("SELECT attempts FROM mail_outbox WHERE recipient = :to").param("to", email)
                .query(Integer.class).single();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
