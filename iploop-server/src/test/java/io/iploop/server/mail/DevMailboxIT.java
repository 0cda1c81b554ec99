package io.iploop.server.mail;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.linkToken;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Mailbox;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default without SMTP: mail lands in the dev mailbox, which only admins can read. Its
 * own context (own data directory, no SMTP host), since the shared one sends to GreenMail.
 */
@ServerTest
class DevMailboxIT {

    @DynamicPropertySource
    static void withoutSmtp(DynamicPropertyRegistry r) {
        try {
            SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-devmail-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("iploop.mail.smtp-host", () -> "");
    }

    @Test
    void mailGoesToTheDevMailboxForAdmins() {
        JsonNode registered = registerCustomer();
        String email = registered.at("/user/email").asString();
        String admin = adminToken();

        JsonNode[] mail = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            Response box = call("GET", "/api/admin/dev-mailbox", admin, null);
            for (JsonNode m : box.body()) {
                if (m.get("to").asString().equals(email)) {
                    mail[0] = m;
                    return true;
                }
            }
            return false;
        });
        assertThat(mail[0].get("subject").asString()).contains("Verify");
        String token = linkToken(mail[0].get("body").asString());
        assertThat(call("GET", "/api/auth/verify-email?token=" + token, null, null).status()).isEqualTo(200);
        assertThat(Mailbox.SMTP.getReceivedMessagesForDomain(email)).as("nothing went over SMTP").isEmpty();

        assertThat(call("GET", "/api/admin/dev-mailbox", token(registered), null).status()).isEqualTo(403);
    }
}
