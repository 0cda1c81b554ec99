package io.iploop.server.mail;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reset links and codes do not outlive their delivery ({@code docs/security.md}): once a mail left
 * by SMTP, its body in the outbox is replaced by a redacted marker.
 */
@PlatformTest
class MailOutboxPurgeIT {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aDeliveredResetLinkIsPurgedFromTheOutbox() {
        String email = registerCustomer().at("/user/email").asString();
        assertThat(call("POST", "/api/auth/forgot-password", null, Map.of("email", email)).status()).isLessThan(300);
        String mailed = awaitMail(email, "password", 1);
        assertThat(mailed).contains("reset-password?token=");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> bodies = jdbc.sql("SELECT body FROM mail_outbox WHERE recipient = :to AND status = 'sent'")
                    .param("to", email).query(String.class).list();
            assertThat(bodies).isNotEmpty().allMatch(b -> b.equals("[redacted after delivery]"));
        });
        assertThat(jdbc.sql("SELECT count(*) FROM mail_outbox WHERE recipient = :to AND body LIKE '%token=%'")
                .param("to", email).query(Long.class).single()).isZero();
    }
}
