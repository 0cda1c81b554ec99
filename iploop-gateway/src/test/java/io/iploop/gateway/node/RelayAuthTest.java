package io.iploop.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The relay link's tokens (docs/deploy.md#cross-gateway-relay): each proves the secret, once, while fresh. */
class RelayAuthTest {

    final AtomicLong clock = new AtomicLong(1_800_000_000L);
    final byte[] secret = "a cluster secret of some length".getBytes(StandardCharsets.UTF_8);
    final RelayAuth sender = new RelayAuth(secret, clock::get);
    final RelayAuth receiver = new RelayAuth(secret, clock::get);

    @Test
    void aTokenOpensOneLinkAndAReplayOfItNone() {
        String token = sender.token("client", "gw-1");
        assertThat(receiver.verify(token, "client")).isEqualTo("gw-1");
        assertThat(receiver.verify(token, "client")).as("the same token again").isNull();
        assertThat(receiver.verify(sender.token("client", "gw-1"), "client")).as("a new token in the same second").isEqualTo("gw-1");
    }

    @Test
    void aTokenOfOneRoleIsNotAcceptedAsTheOther() {
        assertThat(receiver.verify(sender.token("server", "gw-1"), "client")).isNull();
    }

    @Test
    void aTokenNotMadeWithTheSecretOrChangedIsRefused() {
        RelayAuth outsider = new RelayAuth("another secret entirely".getBytes(StandardCharsets.UTF_8), clock::get);
        assertThat(receiver.verify(outsider.token("client", "gw-1"), "client")).isNull();
        String token = sender.token("client", "gw-1");
        assertThat(receiver.verify("gw-2" + token.substring(4), "client")).as("another gateway id").isNull();
        assertThat(receiver.verify(token.replace("." + clock.get() + ".", "." + (clock.get() + 1) + "."), "client"))
                .as("another time").isNull();
        for (String bad : new String[] {null, "", ".", "...", "gw-1.x.y.z", "gw-1." + clock.get() + "..mac", "x".repeat(201)}) {
            assertThat(receiver.verify(bad, "client")).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void aTokenIsValidOnlyWithinTheAllowedClockSkew() {
        String old = sender.token("client", "gw-1");
        clock.addAndGet(RelayAuth.MAX_SKEW_SECONDS + 1);
        assertThat(receiver.verify(old, "client")).isNull();
        String fresh = sender.token("client", "gw-1");
        clock.addAndGet(-RelayAuth.MAX_SKEW_SECONDS);
        assertThat(receiver.verify(fresh, "client")).isEqualTo("gw-1");
    }

    @Test
    void gatewayIdsWithDotsSurviveTheRoundTrip() {
        assertThat(receiver.verify(sender.token("server", "gw.eu.1"), "server")).isEqualTo("gw.eu.1");
    }
}
