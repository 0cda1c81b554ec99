package io.iploop.gateway.socks;

import static io.iploop.gateway.testing.EmbeddedProxy.DEADLINE_MILLIS;
import static io.iploop.gateway.testing.EmbeddedProxy.written;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.TestSupport;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.EmbeddedProxy;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every handler of the SOCKS5 pipeline ({@link Socks5ProxyServerInitializer}) on an
 * {@link EmbeddedChannel}: fragmented handshakes, each RFC 1928 / RFC 1929 error path with its
 * exact reply bytes, the handshake deadline, and that the channel closes having released every
 * input buffer.
 */
class Socks5PipelineTest {

    private static final byte[] GREETING = {5, 1, 2};
    private static final byte[] METHOD_PASSWORD = {5, 2};
    private static final byte[] AUTH_OK = {1, 0};

    private final EmbeddedProxy proxy = new EmbeddedProxy();

    @AfterEach
    void close() {
        proxy.close();
    }

    static byte[] auth(String user, String pass) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        out.write(user.length());
        out.writeBytes(user.getBytes(StandardCharsets.ISO_8859_1));
        out.write(pass.length());
        out.writeBytes(pass.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    static byte[] goodAuth() {
        return auth(TestSupport.CUSTOMER, TestSupport.KEY);
    }

    /** A request for {@code host} as a domain (address type 3), port 443. */
    static byte[] request(int command, byte[] host) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {5, (byte) command, 0, 3, (byte) host.length});
        out.writeBytes(host);
        out.writeBytes(new byte[] {1, (byte) 187});
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The command reply RFC 1928 §6 sends for {@code status} (bound address 0.0.0.0:0). */
    static byte[] reply(int status) {
        return new byte[] {5, (byte) status, 0, 1, 0, 0, 0, 0, 0, 0};
    }

    private void assertClosedClean(EmbeddedChannel ch) {
        assertThat(ch.isOpen()).as("closed").isFalse();
        assertThat(proxy.unreleasedInputs()).as("input buffers still referenced").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHandshakeSentOneByteAtATimeReachesTheExit() {
        EmbeddedChannel ch = proxy.socks();
        proxy.sendByteByByte(ch, concat(GREETING, goodAuth(), request(1, "refused.test".getBytes(StandardCharsets.US_ASCII))));
        assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x05)));
        assertClosedClean(ch);
    }

    @Test
    void socks4IsClosedWithoutAnswer() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0});
        assertThat(written(ch)).isEmpty();
        assertClosedClean(ch);
    }

    @Test
    void noPasswordMethodGetsFF() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, new byte[] {5, 1, 0});
        assertThat(written(ch)).containsExactly(5, 0xFF);
        assertClosedClean(ch);
    }

    @Test
    void badCredentialsGetAFailureStatus() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, concat(GREETING, auth(TestSupport.CUSTOMER, "iploop_" + "f".repeat(48))));
        assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, new byte[] {1, (byte) 0xFF}));
        assertClosedClean(ch);
    }

    @Test
    void aWrongAuthVersionIsClosed() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, concat(GREETING, new byte[] {2, 1, 'a', 1, 'b'}));
        assertThat(written(ch)).containsExactly(METHOD_PASSWORD);
        assertClosedClean(ch);
    }

    @Test
    void bindAndUdpAssociateGet7() {
        for (int command : new int[] {2, 3}) {
            EmbeddedChannel ch = proxy.socks();
            proxy.send(ch, concat(GREETING, goodAuth(), request(command, "example.com".getBytes(StandardCharsets.US_ASCII))));
            assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x07)));
            assertClosedClean(ch);
        }
    }

    @Test
    void anUnknownAddressTypeGets8() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, concat(GREETING, goodAuth(), new byte[] {5, 1, 0, 9, 1, 2, 3, 4, 0, 80}));
        assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x08)));
        assertClosedClean(ch);
    }

    @Test
    void aDomainWithANulByteGets1AndNeverReachesAUsageRecord() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, concat(GREETING, goodAuth(), request(1, "exa\0mple.com".getBytes(StandardCharsets.ISO_8859_1))));
        assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x01)));
        assertClosedClean(ch);
        assertThat(proxy.errors("invalid_target")).isEqualTo(1);
        assertThat(proxy.records()).extracting(UsageRecord::targetHost).allSatisfy(h -> assertThat(h).doesNotContain("\0"));
    }

    @Test
    void malformedDomainsGet1() {
        for (String host : new String[] {"exa mple.com", "a..b", "-a.com", "a_b.com", "x".repeat(64) + ".com", "ex\u0080.com",
                "a\r\nb"}) {
            EmbeddedChannel ch = proxy.socks();
            proxy.send(ch, concat(GREETING, goodAuth(), request(1, host.getBytes(StandardCharsets.ISO_8859_1))));
            assertThat(written(ch)).as(host).containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x01)));
            assertClosedClean(ch);
        }
    }

    @Test
    void anIdnaALabelIsAccepted() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, concat(GREETING, goodAuth(), request(1, "xn--bcher-kva.example".getBytes(StandardCharsets.US_ASCII))));
        assertThat(written(ch)).as("reaches the exit, which refuses").containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x05)));
        assertClosedClean(ch);
    }

    @Test
    void portZeroGets1() {
        EmbeddedChannel ch = proxy.socks();
        proxy.send(ch, concat(GREETING, goodAuth(), new byte[] {5, 1, 0, 1, 127, 0, 0, 1, 0, 0}));
        assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, AUTH_OK, reply(0x01)));
        assertClosedClean(ch);
    }

    @Test
    void aHandshakeTrickledInSlowerThanTheDeadlineIsClosed() {
        EmbeddedChannel ch = proxy.socks();
        byte[] all = concat(GREETING, goodAuth());
        for (int i = 0; i < all.length && ch.isOpen(); i++) {
            proxy.send(ch, new byte[] {all[i]});
            proxy.advance(ch, 1_000);
        }
        assertThat(ch.isOpen()).isFalse();
        assertThat(proxy.errors("request_timeout")).isEqualTo(1);
        written(ch);
        assertClosedClean(ch);
    }

    @Test
    void aSilentConnectionIsClosedAtTheDeadline() {
        EmbeddedChannel ch = proxy.socks();
        proxy.advance(ch, DEADLINE_MILLIS - 1);
        assertThat(ch.isOpen()).isTrue();
        proxy.advance(ch, 1);
        assertThat(written(ch)).isEmpty();
        assertClosedClean(ch);
    }

    @Test
    void aFullCredentialQueueFailsTheAuthStep() {
        try (EmbeddedProxy busy = new EmbeddedProxy(task -> {
            throw new RejectedExecutionException("full (test)");
        })) {
            EmbeddedChannel ch = busy.socks();
            busy.send(ch, concat(GREETING, goodAuth()));
            assertThat(written(ch)).containsExactly(concat(METHOD_PASSWORD, new byte[] {1, (byte) 0xFF}));
            assertThat(ch.isOpen()).isFalse();
            assertThat(busy.unreleasedInputs()).isEmpty();
        }
    }
}
