package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JwtTokensTest {

    private static final byte[] KEY = SecureTokens.randomBytes(64);
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private final AuthenticatedUser user =
            new AuthenticatedUser(UUID.randomUUID(), "cust_abcdefghijkl", "a@b.example", "customer");

    @Test
    void issuedTokenVerifiesUntilExpiry() {
        JwtTokens issuer = new JwtTokens(KEY, Clock.fixed(NOW, ZoneOffset.UTC));
        JwtTokens.IssuedToken token = issuer.issue(user);
        assertThat(token.expiresAt()).isEqualTo(NOW.plus(JwtTokens.LIFETIME));
        assertThat(issuer.verify(token.token())).contains(user);
        JwtTokens later = new JwtTokens(KEY, Clock.fixed(NOW.plus(Duration.ofHours(24)), ZoneOffset.UTC));
        assertThat(later.verify(token.token())).isEmpty();
    }

    @Test
    void rejectsOtherKeyTamperingAndGarbage() {
        JwtTokens issuer = new JwtTokens(KEY, Clock.fixed(NOW, ZoneOffset.UTC));
        String token = issuer.issue(user).token();
        JwtTokens other = new JwtTokens(SecureTokens.randomBytes(64), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(other.verify(token)).isEmpty();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertThat(issuer.verify(tampered)).isEmpty();
        assertThat(issuer.verify("not-a-jwt")).isEmpty();
        assertThat(issuer.verify("")).isEmpty();
    }
}
