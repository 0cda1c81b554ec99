package io.iploop.server.pool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.server.pool.UpstreamSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The upstream file format (docs/upstream-pool.md#upstreams-import-and-reload): seed 004's lines,
 * URLs, comments; every bad line reported with its number; hostile input never throws anything but
 * a line error.
 */
class UpstreamFileParserTest {

    @Test
    void readsSeedLinesUrlsCommentsAndBlankLines() {
        UpstreamFileParser.Result r = UpstreamFileParser.parse("""
                # upstreams bought from provider X
                alice:s3cret@203.0.113.10:8080

                http://bob:p%40ss@proxy.example.com:3128/
                socks5://carol:pw@[2001:db8::1]:1080
                   198.51.100.7:3128   \r
                SOCKS5://dave:a:b@c@198.51.100.8:1080
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.upstreams()).containsExactly(
                new UpstreamSpec(PoolUpstream.Scheme.HTTP, "203.0.113.10", 8080, "alice", "s3cret"),
                new UpstreamSpec(PoolUpstream.Scheme.HTTP, "proxy.example.com", 3128, "bob", "p@ss"),
                new UpstreamSpec(PoolUpstream.Scheme.SOCKS5, "2001:db8:0:0:0:0:0:1", 1080, "carol", "pw"),
                new UpstreamSpec(PoolUpstream.Scheme.HTTP, "198.51.100.7", 3128, null, null),
                new UpstreamSpec(PoolUpstream.Scheme.SOCKS5, "198.51.100.8", 1080, "dave", "a:b@c"));
    }

    @Test
    void reportsEveryBadLineWithItsNumberAndNeverThePassword() {
        UpstreamFileParser.Result r = UpstreamFileParser.parse("""
                ok:pw@203.0.113.1:80
                user:topsecret@203.0.113.1:99999
                ftp://u:topsecret@203.0.113.2:21
                user@203.0.113.3:80
                203.0.113.4
                :pw@203.0.113.5:80
                u:topsecret@256.1.1.1:80
                u:topsecret@bad_host!:80
                u:top secret@203.0.113.6:80
                http://u:topsecret@203.0.113.7:80/path
                u:topsecret@2001:db8::1:80
                ok:pw@203.0.113.1:80
                """);
        assertThat(r.upstreams()).hasSize(1);
        assertThat(r.errors()).extracting(UpstreamFileParser.LineError::line)
                .containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(r.errors().get(0).message()).contains("port 99999");
        assertThat(r.errors().get(1).message()).contains("unknown scheme 'ftp'");
        assertThat(r.errors().get(10).message()).isEqualTo("duplicate of line 1");
        assertThat(r.errors()).allSatisfy(e -> assertThat(e.toString()).doesNotContain("topsecret"));
    }

    @Test
    void refusesOverlongLinesAndControlCharacters() {
        assertThatThrownBy(() -> UpstreamFileParser.parseLine("u:" + "p".repeat(2000) + "@203.0.113.1:80"))
                .hasMessageContaining("line too long");
        assertThatThrownBy(() -> UpstreamFileParser.parseLine("u:p\u0000w@203.0.113.1:80"))
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> UpstreamFileParser.parseLine("http://u:%zz@203.0.113.1:80"))
                .hasMessageContaining("percent-encoding");
    }

    @Provide
    Arbitrary<UpstreamSpec> upstreams() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12)
                .filter(s -> !Character.isDigit(s.charAt(0)));
        Arbitrary<String> hostName = label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
        Arbitrary<String> ipv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
        Arbitrary<String> host = Arbitraries.oneOf(hostName, ipv4);
        Arbitrary<String> user = Arbitraries.strings().withCharRange('!', '~').excludeChars(':').ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> pass = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(30);
        return Combinators.combine(Arbitraries.of(PoolUpstream.Scheme.class), host, Arbitraries.integers().between(1, 65535),
                user.injectNull(0.2), pass).as((s, h, p, u, pw) -> new UpstreamSpec(s, h, p, u, u == null ? null : pw));
    }

    @Property
    void urlFormRoundTrips(@ForAll("upstreams") UpstreamSpec spec) {
        String auth = spec.username() == null ? ""
                : enc(spec.username()) + ":" + enc(spec.password()) + "@";
        String line = spec.scheme().urlScheme() + "://" + auth + spec.host() + ":" + spec.upstreamPort();
        assertThat(UpstreamFileParser.parseLine(line)).isEqualTo(spec);
    }

    @Property
    void seedFormRoundTripsForHttp(@ForAll("upstreams") UpstreamSpec spec) {
        String auth = spec.username() == null ? "" : spec.username() + ":" + spec.password() + "@";
        UpstreamSpec http = new UpstreamSpec(PoolUpstream.Scheme.HTTP, spec.host(), spec.upstreamPort(), spec.username(),
                spec.password());
        String line = auth + spec.host() + ":" + spec.upstreamPort();
        if (line.contains("://") || line.startsWith("#")) {
            return; // such a seed line is read as a URL or a comment; the URL form covers it
        }
        assertThat(UpstreamFileParser.parseLine(line)).isEqualTo(http);
    }

    @Property(tries = 2000)
    void anyTextGivesUpstreamsOrLineErrorsNeverAnException(@ForAll @StringLength(max = 300) String text) {
        UpstreamFileParser.Result r = UpstreamFileParser.parse(text);
        int lines = text.split("\r\n|\n|\r", -1).length;
        assertThat(r.errors()).allSatisfy(e -> assertThat(e.line()).isBetween(1, lines));
        assertThat(r.upstreams()).allSatisfy(u -> assertThat(u.upstreamPort()).isBetween(1, 65535));
    }

    @Property
    void mutatedGoodLinesNeverThrowUnexpectedly(@ForAll("upstreams") UpstreamSpec spec, @ForAll @IntRange(min = 0, max = 60) int at,
            @ForAll char c) {
        String auth = spec.username() == null ? "" : enc(spec.username()) + ":" + enc(spec.password()) + "@";
        StringBuilder line = new StringBuilder(spec.scheme().urlScheme() + "://" + auth + spec.host() + ":" + spec.upstreamPort());
        line.insert(Math.min(at, line.length()), c);
        try {
            UpstreamSpec parsed = UpstreamFileParser.parseLine(line.toString());
            assertThat(parsed.upstreamPort()).isBetween(1, 65535);
            assertThat(parsed.host()).isNotBlank();
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void aThousandLinesParse() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            b.append("user").append(i).append(":pw").append(i).append("@10.0.").append(i / 250).append('.').append(i % 250)
                    .append(":8080\n");
        }
        assertThat(UpstreamFileParser.parse(b.toString()).upstreams()).hasSize(1000);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void portSpecs() {
        assertThat(PortSpec.parse("all")).isEmpty();
        assertThat(PortSpec.normalise(" 4000-4099 , 4200 ")).isEqualTo("4000-4099,4200");
        assertThatThrownBy(() -> PortSpec.parse("4100-4000")).hasMessageContaining("A <= B");
        assertThatThrownBy(() -> PortSpec.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> PortSpec.parse("70000")).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(1)).hasSize(1);
    }
}
