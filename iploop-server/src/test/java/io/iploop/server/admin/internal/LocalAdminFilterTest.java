package io.iploop.server.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.admin.LocalAdminAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which requests {@link LocalAdminFilter} lets through: loopback peer, no proxy headers, the token. */
class LocalAdminFilterTest {

    @TempDir
    Path dataDir;

    private String tokenOf(LocalAdminToken token) throws IOException {
        // The token is only ever revealed through the file, as the CLI reads it.
        token.publish(8080);
        return LocalAdminAccess.read(dataDir).token();
    }

    @Test
    void acceptsTheTokenFromLoopbackOnly() throws IOException {
        LocalAdminToken token = new LocalAdminToken(LocalAdminAccess.file(dataDir));
        String secret = tokenOf(token);
        Map<String, String> headers = Map.of(LocalAdminAccess.TOKEN_HEADER, secret);

        assertThat(LocalAdminFilter.check("127.0.0.1", headers::get, token)).isNull();
        assertThat(LocalAdminFilter.check("::1", headers::get, token)).isNull();

        LocalAdminFilter.Refusal remote = LocalAdminFilter.check("192.0.2.7", headers::get, token);
        assertThat(remote).isNotNull();
        assertThat(remote.status()).isEqualTo(403);
        assertThat(remote.error().error().code()).isEqualTo("local_admin_loopback_only");
        assertThat(LocalAdminFilter.check("not-an-ip", headers::get, token)).isNotNull();
    }

    @Test
    void refusesProxiedRequestsEvenFromLoopback() throws IOException {
        LocalAdminToken token = new LocalAdminToken(LocalAdminAccess.file(dataDir));
        String secret = tokenOf(token);
        for (String forwarding : LocalAdminFilter.FORWARDING_HEADERS) {
            Map<String, String> headers = Map.of(LocalAdminAccess.TOKEN_HEADER, secret, forwarding, "203.0.113.9");
            LocalAdminFilter.Refusal r = LocalAdminFilter.check("127.0.0.1", headers::get, token);
            assertThat(r).as(forwarding).isNotNull();
            assertThat(r.status()).isEqualTo(403);
        }
    }

    @Test
    void refusesMissingAndWrongTokens() throws IOException {
        LocalAdminToken token = new LocalAdminToken(LocalAdminAccess.file(dataDir));
        String secret = tokenOf(token);

        LocalAdminFilter.Refusal none = LocalAdminFilter.check("127.0.0.1", Map.<String, String>of()::get, token);
        assertThat(none).isNotNull();
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.error().error().code()).isEqualTo("local_admin_token_required");

        Map<String, String> wrong = Map.of(LocalAdminAccess.TOKEN_HEADER, secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A"));
        LocalAdminFilter.Refusal bad = LocalAdminFilter.check("127.0.0.1", wrong::get, token);
        assertThat(bad).isNotNull();
        assertThat(bad.error().error().code()).isEqualTo("local_admin_token_invalid");

        Map<String, String> prefix = Map.of(LocalAdminAccess.TOKEN_HEADER, secret.substring(0, 10));
        assertThat(LocalAdminFilter.check("127.0.0.1", prefix::get, token)).isNotNull();
    }
}
