package io.iploop.server.mail;

import static io.iploop.server.testing.Api.registerCustomer;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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

    /**
     * Bound but not listening, so the worker's connects are refused at once until the test frees it for
     * GreenMail. A port only probed free could be taken by another context's listener in between, and
     * an SMTP client then waits its 10 s read timeout for a greeting that never comes.
     */
    private static final Socket PORT_RESERVATION = reservePort();
    private static final int SMTP_PORT = PORT_RESERVATION.getLocalPort();

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
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> attempts(email) >= 1);
        assertThat(jdbc.sql("SELECT status FROM mail_outbox WHERE recipient = :to").param("to", email)
                .query(String.class).single()).isEqualTo("pending");
        assertThat(jdbc.sql("SELECT next_attempt_at > now() + interval '5 seconds' FROM mail_outbox WHERE recipient = :to")
                .param("to", email).query(Boolean.class).single()).as("backs off").isTrue();

        closeQuietly(PORT_RESERVATION);
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.port(SMTP_PORT));
        smtp.start();
        try {
            jdbc.sql("UPDATE mail_outbox SET next_attempt_at = now() WHERE recipient = :to").param("to", email).update();
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> smtp.getReceivedMessagesForDomain(email).length == 1);
            // the worker marks the row sent after the SMTP server has taken the message: wait for it
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
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

    private static Socket reservePort() {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the reservation only has to end; nothing was sent on it
        }
    }
}
