package io.iploop.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.NewAccount;
import io.iploop.server.accounts.UserRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default without SMTP: mail lands in the dev mailbox, which only admins can read. Its
 * own context (own data directory, no SMTP host), since the shared one sends to GreenMail.
 */
class DevMailboxIT extends ApiTestSupport {

    @DynamicPropertySource
    static void withoutSmtp(DynamicPropertyRegistry r) {
        try {
            ServerTestSupport.embeddedServer(r, Files.createTempDirectory("iploop-it-devmail-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        r.add("iploop.mail.smtp-host", () -> "");
    }

    @Autowired
    AccountsService accounts;

    @Test
    void mailGoesToTheDevMailboxForAdmins() {
        JsonNode registered = registerCustomer();
        String email = registered.at("/user/email").asString();
        String adminEmail = "admin-" + UUID.randomUUID() + "@example.com";
        accounts.create(new NewAccount(adminEmail, "correct horse", "Ad", "Min", null, UserRole.ADMIN, false));
        String admin = token(call("POST", "/api/auth/login", null,
                Map.of("email", adminEmail, "password", "correct horse")).body());

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
        assertThat(ServerTestSupport.SMTP.getReceivedMessagesForDomain(email)).as("nothing went over SMTP").isEmpty();

        assertThat(call("GET", "/api/admin/dev-mailbox", token(registered), null).status()).isEqualTo(403);
    }
}
