package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Login lockout per (e-mail, client address) behind a trusted reverse proxy ({@code docs/security.md}):
 * a stranger's wrong passwords lock the stranger out, never the account's owner on another address.
 * The test's own address is the trusted proxy, so {@code X-Forwarded-For} names the client.
 */
@PlatformTest
class LoginLockoutIT {

    private static final String PASSWORD = "correct horse";

    private Response login(String email, String password, String clientIp) {
        return call("POST", "/api/auth/login", null, Map.of("email", email, "password", password),
                Map.of("X-Forwarded-For", clientIp));
    }

    @Test
    void aStrangerCannotLockTheOwnerOut() {
        String email = registerCustomer().at("/user/email").asString();
        String stranger = "203.0.113.66";
        for (int i = 1; i <= 5; i++) {
            assertThat(login(email, "guess " + i, stranger).status()).as("attempt %d", i).isEqualTo(401);
        }
        assertThat(login(email, "guess 6", stranger).status()).isEqualTo(423);
        assertThat(login(email, PASSWORD, stranger).status()).as("the stranger stays locked out").isEqualTo(423);

        Response owner = login(email, PASSWORD, "198.51.100.77");
        assertThat(owner.status()).as("the owner from another address").isEqualTo(200);
    }

    @Test
    void forwardedForFromAnUntrustedHopIsNotBelieved() {
        String email = registerCustomer().at("/user/email").asString();
        // The client claims to be behind another proxy; only the hop our trusted proxy saw counts.
        for (int i = 1; i <= 6; i++) {
            login(email, "guess " + i, "198.51.100.77, 203.0.113.67");
        }
        assertThat(login(email, PASSWORD, "203.0.113.67").status()).isEqualTo(423);
        assertThat(login(email, PASSWORD, "198.51.100.78").status()).isEqualTo(200);
    }
}
