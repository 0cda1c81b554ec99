package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static io.iploop.server.testing.Mailbox.linkToken;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Login sessions (docs/product/accounts.md#login-sessions) over real HTTP and PostgreSQL: every login opens one, the list
 * marks the caller's, ending one (or all) makes its token fail at once, another account's session
 * cannot be touched, password change and reset end sessions; plus expired and session-less JWTs.
 */
@PlatformTest
class SessionsIT {

    private static final String IPHONE =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1";
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlatformSecrets secrets;

    @Test
    void everyLoginOpensASessionAndTheListMarksTheCurrentOne() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        String phone = loginAs(email, IPHONE);
        String laptop = loginAs(email, FIREFOX);

        List<JsonNode> sessions = sessions(laptop);
        assertThat(sessions).hasSize(3); // registration, phone, laptop
        assertThat(sessions.stream().filter(s -> s.get("current").asBoolean()).count()).isEqualTo(1);
        JsonNode current = sessions.stream().filter(s -> s.get("current").asBoolean()).findFirst().orElseThrow();
        assertThat(current.get("deviceType").asString()).isEqualTo("desktop");
        assertThat(current.get("userAgent").asString()).isEqualTo(FIREFOX);
        assertThat(current.get("ipAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(current.get("location").isNull()).as("no GeoIP database configured").isTrue();
        assertThat(current.get("lastActiveAt").asString()).isNotBlank();
        assertThat(sessions).anySatisfy(s -> assertThat(s.get("deviceType").asString()).isEqualTo("mobile"));
        assertThat(sessions(phone).stream().filter(s -> s.get("current").asBoolean())
                .map(s -> s.get("deviceType").asString())).containsExactly("mobile");
    }

    @Test
    void endingASessionRefusesItsTokenAtOnceButNotAnotherAccountsSession() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        String phone = loginAs(email, IPHONE);
        String laptop = loginAs(email, FIREFOX);
        String phoneSession = currentSessionId(phone);

        JsonNode mallory = registerCustomer();
        Response foreign = call("DELETE", "/api/auth/sessions/" + phoneSession, token(mallory), null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body().at("/error/code").asString()).isEqualTo("session_not_found");
        assertThat(call("GET", "/api/auth/profile", phone, null).status()).as("nothing changed").isEqualTo(200);

        assertThat(call("DELETE", "/api/auth/sessions/" + phoneSession, laptop, null).status()).isEqualTo(204);
        Response refused = call("GET", "/api/auth/profile", phone, null);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body().at("/error/code").asString()).isEqualTo("unauthorized");
        assertThat(call("GET", "/api/auth/profile", laptop, null).status()).isEqualTo(200);
        assertThat(sessions(laptop)).noneSatisfy(s -> assertThat(s.get("id").asString()).isEqualTo(phoneSession));
        assertThat(call("DELETE", "/api/auth/sessions/" + phoneSession, laptop, null).status()).as("already ended")
                .isEqualTo(404);
        assertThat(call("DELETE", "/api/auth/sessions/not-a-uuid", laptop, null).status()).isEqualTo(400);
        assertThat(actions(laptop)).contains("session_terminated");
    }

    @Test
    void logOutEverywhereWithAndWithoutKeepingTheCurrentSession() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        String registered = token(user);
        String phone = loginAs(email, IPHONE);
        String laptop = loginAs(email, FIREFOX);

        Response kept = call("DELETE", "/api/auth/sessions?keepCurrent=true", laptop, null);
        assertThat(kept.status()).isEqualTo(200);
        assertThat(kept.body().get("terminated").asInt()).isEqualTo(2);
        assertThat(call("GET", "/api/auth/profile", registered, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", phone, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", laptop, null).status()).isEqualTo(200);
        assertThat(sessions(laptop)).hasSize(1);

        String other = loginAs(email, IPHONE);
        Response all = call("DELETE", "/api/auth/sessions", laptop, null);
        assertThat(all.body().get("terminated").asInt()).isEqualTo(2);
        assertThat(call("GET", "/api/auth/profile", laptop, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", other, null).status()).isEqualTo(401);
    }

    @Test
    void logoutEndsTheSession() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        String phone = loginAs(email, IPHONE);
        String laptop = loginAs(email, FIREFOX);
        String phoneSession = currentSessionId(phone);
        assertThat(call("POST", "/api/auth/logout", phone, null).status()).isEqualTo(204);
        assertThat(sessions(laptop)).noneSatisfy(s -> assertThat(s.get("id").asString()).isEqualTo(phoneSession));
        assertThat(call("GET", "/api/auth/profile", phone, null).status()).isEqualTo(401);
    }

    @Test
    void passwordChangeEndsOtherSessionsAndResetEndsAll() {
        JsonNode user = registerCustomer();
        String email = user.at("/user/email").asString();
        String phone = loginAs(email, IPHONE);
        String laptop = loginAs(email, FIREFOX);

        assertThat(call("PUT", "/api/auth/password", laptop,
                Map.of("currentPassword", TEST_PASSWORD, "newPassword", "a second password")).status()).isEqualTo(204);
        assertThat(call("GET", "/api/auth/profile", laptop, null).status()).as("the changing session stays").isEqualTo(200);
        assertThat(call("GET", "/api/auth/profile", phone, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", token(user), null).status()).isEqualTo(401);

        String tablet = token(loginWith(email, "a second password", null).body());
        call("POST", "/api/auth/forgot-password", null, Map.of("email", email));
        String reset = linkToken(awaitMail(email, "Reset", 1));
        assertThat(call("POST", "/api/auth/reset-password", null,
                Map.of("token", reset, "newPassword", "a third password")).status()).isEqualTo(200);
        assertThat(call("GET", "/api/auth/profile", laptop, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", tablet, null).status()).isEqualTo(401);
        String fresh = token(loginWith(email, "a third password", null).body());
        assertThat(sessions(fresh)).hasSize(1);
        assertThat(actions(fresh)).contains("session_terminated", "password_changed", "password_reset");
    }

    @Test
    void activityIsRecordedAtMostOncePerMinute() {
        String token = token(registerCustomer());
        UUID sid = UUID.fromString(currentSessionId(token));
        Instant old = Instant.now().minus(Duration.ofMinutes(5));
        jdbc.sql("UPDATE user_sessions SET last_active_at = :t WHERE id = :id")
                .param("t", java.sql.Timestamp.from(old)).param("id", sid).update();
        call("GET", "/api/auth/profile", token, null);
        Instant touched = lastActive(sid);
        assertThat(touched).isAfter(old.plus(Duration.ofMinutes(4)));
        call("GET", "/api/auth/profile", token, null);
        assertThat(lastActive(sid)).as("no write within the minute").isEqualTo(touched);
    }

    @Test
    void expiredAndSessionlessTokensAreRefused() {
        JsonNode user = registerCustomer();
        String token = token(user);
        UUID sid = UUID.fromString(currentSessionId(token));
        AuthenticatedUser principal = new AuthenticatedUser(UUID.fromString(user.at("/user/id").asString()),
                user.at("/user/customerId").asString(), user.at("/user/email").asString(), "customer");

        JwtTokens now = new JwtTokens(secrets.jwtHmacKey(), Clock.systemUTC());
        assertThat(call("GET", "/api/auth/profile", now.issue(principal.inSession(sid, false)).token(), null).status())
                .as("control: same session, valid token").isEqualTo(200);
        JwtTokens yesterday = new JwtTokens(secrets.jwtHmacKey(),
                Clock.fixed(Instant.now().minus(JwtTokens.LIFETIME).minusSeconds(60), ZoneOffset.UTC));
        Response expired = call("GET", "/api/auth/profile", yesterday.issue(principal.inSession(sid, false)).token(), null);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body().at("/error/code").asString()).isEqualTo("unauthorized");
        assertThat(call("GET", "/api/auth/profile", now.issue(principal).token(), null).status())
                .as("no sid").isEqualTo(401);
        assertThat(call("GET", "/api/auth/profile", now.issue(principal.inSession(UUID.randomUUID(), false)).token(),
                null).status()).as("unknown sid").isEqualTo(401);
    }

    private Instant lastActive(UUID sid) {
        return jdbc.sql("SELECT last_active_at FROM user_sessions WHERE id = :id").param("id", sid)
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).single();
    }

    private String loginAs(String email, String userAgent) {
        Response r = call("POST", "/api/auth/login", null, Map.of("email", email, "password", TEST_PASSWORD),
                Map.of("User-Agent", userAgent));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return token(r.body());
    }

    private List<JsonNode> sessions(String token) {
        Response r = call("GET", "/api/auth/sessions", token, null);
        assertThat(r.status()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.body().get("sessions").forEach(out::add);
        return out;
    }

    private String currentSessionId(String token) {
        return sessions(token).stream().filter(s -> s.get("current").asBoolean()).findFirst().orElseThrow()
                .get("id").asString();
    }

    private List<String> actions(String token) {
        List<String> out = new ArrayList<>();
        call("GET", "/api/audit-logs?limit=200", token, null).body().get("items")
                .forEach(e -> out.add(e.get("action").asString()));
        return out;
    }
}
