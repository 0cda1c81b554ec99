package io.iploop.gateway;

import static io.iploop.gateway.testing.EmbeddedProxy.DEADLINE_MILLIS;
import static io.iploop.gateway.testing.EmbeddedProxy.written;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.testing.EmbeddedProxy;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Random and adversarial bytes against each customer listener pipeline (HTTP proxy, SOCKS5) on an
 * {@link EmbeddedChannel}, in random fragments: the pipeline never throws, and once the
 * handshake deadline has passed it has answered or closed and released every input buffer. The
 * adversarial inputs splice valid protocol pieces (heads, credentials, requests) with hostile
 * ones (control bytes, NUL hosts, bad ports, conflicting framing, random tails).
 */
class ListenerPipelinePropertiesTest {

    private static final EmbeddedProxy PROXY = new EmbeddedProxy();

    @AfterContainer
    static void close() {
        PROXY.close();
    }

    @Property(tries = 300)
    void httpAnswersOrClosesRandomBytes(@ForAll("randomChunks") List<byte[]> chunks) {
        answersOrCloses(PROXY::http, chunks);
    }

    @Property(tries = 300)
    void socksAnswersOrClosesRandomBytes(@ForAll("randomChunks") List<byte[]> chunks) {
        answersOrCloses(PROXY::socks, chunks);
    }

    @Property(tries = 300)
    void httpAnswersOrClosesAdversarialRequests(@ForAll("httpSoup") byte[] input, @ForAll("cuts") List<Integer> cuts) {
        answersOrCloses(PROXY::http, split(input, cuts));
    }

    @Property(tries = 300)
    void socksAnswersOrClosesAdversarialHandshakes(@ForAll("socksSoup") byte[] input, @ForAll("cuts") List<Integer> cuts) {
        answersOrCloses(PROXY::socks, split(input, cuts));
    }

    private static void answersOrCloses(Supplier<EmbeddedChannel> pipeline, List<byte[]> chunks) {
        EmbeddedChannel ch = pipeline.get();
        for (byte[] chunk : chunks) {
            PROXY.send(ch, chunk); // EmbeddedChannel rethrows anything that reached the pipeline's tail
        }
        PROXY.advance(ch, DEADLINE_MILLIS + 1);
        written(ch);
        assertThat(ch.isOpen()).as("closed once the deadline passed").isFalse();
        assertThat(PROXY.unreleasedInputs()).as("input buffers still referenced").isEmpty();
        ch.checkException();
        ch.finishAndReleaseAll();
    }

    /** {@code input} cut at the given offsets (modulo its length), in order. */
    private static List<byte[]> split(byte[] input, List<Integer> cuts) {
        int[] at = cuts.stream().mapToInt(c -> input.length == 0 ? 0 : c % input.length).sorted().distinct().toArray();
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        int from = 0;
        for (int c : at) {
            if (c > from) {
                out.add(java.util.Arrays.copyOfRange(input, from, c));
                from = c;
            }
        }
        out.add(java.util.Arrays.copyOfRange(input, from, input.length));
        return out;
    }

    @Provide
    Arbitrary<List<byte[]>> randomChunks() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300).list().ofMinSize(1).ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 10_000).list().ofMaxSize(8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Arbitrary<byte[]> concatOf(List<Arbitrary<byte[]>> pieces, int maxPieces) {
        return Arbitraries.oneOf(pieces).list().ofMinSize(1).ofMaxSize(maxPieces).map(list -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    @Provide
    Arbitrary<byte[]> httpSoup() {
        String auth = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
                (TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        Arbitrary<byte[]> fixed = Arbitraries.of(
                "GET ", "CONNECT ", "POST ", "http://", "https://", "example.com", "refused.test", "exa\0mple.com",
                "a\u0001b", "[::1]", "[::1", ":443", ":0", ":99999", "user@", "/path?q", " HTTP/1.1\r\n", " HTTP/1.0\r\n",
                "Host: x\r\n", auth, "Proxy-Authorization: Basic Zm9v\r\n", "Content-Length: 5\r\n",
                "Content-Length: -1\r\n", "Transfer-Encoding: chunked\r\n", "\r\n", "\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n",
                " ", "\t", "\n").map(ListenerPipelinePropertiesTest::ascii);
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> valid = Arbitraries.of(ascii("GET http://refused.test/ HTTP/1.1\r\nHost: refused.test\r\n" + auth + "\r\n"),
                ascii("CONNECT refused.test:443 HTTP/1.1\r\n" + auth + "\r\n"));
        return concatOf(List.of(fixed, fixed, fixed, random, valid), 16);
    }

    @Provide
    Arbitrary<byte[]> socksSoup() {
        byte[] user = ascii(TestSupport.CUSTOMER);
        byte[] pass = ascii(TestSupport.KEY);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.write(1);
        auth.write(user.length);
        auth.writeBytes(user);
        auth.write(pass.length);
        auth.writeBytes(pass);
        Arbitrary<byte[]> fixed = Arbitraries.of(
                new byte[] {5, 1, 2}, new byte[] {5, 2, 0, 2}, new byte[] {5, 0}, new byte[] {4, 1}, new byte[] {5, (byte) 255},
                auth.toByteArray(), new byte[] {1, 0, 0}, new byte[] {1, (byte) 255},
                new byte[] {5, 1, 0, 1, 127, 0, 0, 1, 0, 80}, new byte[] {5, 1, 0, 1, 127, 0, 0, 1, 0, 0},
                new byte[] {5, 2, 0, 3, 3, 'a', 'b', 'c', 0, 80}, new byte[] {5, 1, 0, 3, 3, 'a', 0, 'c', 0, 80},
                new byte[] {5, 1, 0, 3, 0, 0, 80}, new byte[] {5, 1, 0, 3, (byte) 255}, new byte[] {5, 1, 0, 9},
                new byte[] {5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, (byte) 187});
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return concatOf(List.of(fixed, fixed, fixed, random), 8);
    }
}
