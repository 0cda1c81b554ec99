package io.iploop.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.Targeting;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ProxyCredentialsTest {

    static final String KEY = "iploop_" + "0123456789abcdef".repeat(3);

    static ProxyCredentials parse(String password) throws CredentialException {
        return ProxyCredentials.parse("c_1", password);
    }

    static CredentialException failure(String password) {
        try {
            parse(password);
        } catch (CredentialException e) {
            return e;
        }
        throw new AssertionError("accepted: " + password);
    }

    @Test
    void keyAlone() throws Exception {
        ProxyCredentials c = parse(KEY);
        assertThat(c.apiKey()).isEqualTo(KEY);
        assertThat(c.targeting()).isEqualTo(Targeting.NONE);
        assertThat(c.apiKeySha256Hex()).hasSize(64).matches("[0-9a-f]+");
    }

    @Test
    void everyParameter() throws Exception {
        Targeting t = parse(KEY + "-country-de-state-bavaria-city-New_York-zip-10115-asn-3320-isp-telekom-session-Ab_9"
                + "-sesstype-sticky-lifetime-1h-rotate-on-block-profile-mobile-speed-50-latency-200-debug-1").targeting();
        assertThat(t.country()).isEqualTo("DE");
        assertThat(t.state()).isEqualTo("bavaria");
        assertThat(t.city()).isEqualTo("new_york");
        assertThat(t.zip()).isEqualTo("10115");
        assertThat(t.asn()).isEqualTo(3320);
        assertThat(t.isp()).isEqualTo("telekom");
        assertThat(t.session()).isEqualTo("Ab_9");
        assertThat(t.sessionType()).isEqualTo(Targeting.SessionType.STICKY);
        assertThat(t.lifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(t.rotate()).isEqualTo(Targeting.RotateMode.ON_BLOCK);
        assertThat(t.profile()).isEqualTo("mobile");
        assertThat(t.minSpeedMbps()).isEqualTo(50);
        assertThat(t.maxLatencyMillis()).isEqualTo(200);
        assertThat(t.debug()).isTrue();
    }

    @Test
    void hyphenatedValuesAndLifetimeUnits() throws Exception {
        assertThat(parse(KEY + "-sesstype-per-request-country-us").targeting().sessionType())
                .isEqualTo(Targeting.SessionType.PER_REQUEST);
        assertThat(parse(KEY + "-lifetime-30").targeting().lifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(parse(KEY + "-lifetime-120s").targeting().lifetime()).isEqualTo(Duration.ofSeconds(120));
        assertThat(parse(KEY + "-lifetime-24h").targeting().lifetime()).isEqualTo(Duration.ofHours(24));
        assertThat(parse(KEY + "-session-x").targeting().sessionType()).isEqualTo(Targeting.SessionType.STICKY);
        assertThat(parse(KEY + "-rotate-request").targeting().exitPerRequest()).isTrue();
    }

    @Test
    void messagesNameTheParameterAndWhatIsExpected() {
        assertThat(failure(KEY + "-lifetime-0").getMessage())
                .isEqualTo("lifetime: '0' (expected: minutes, or a number followed by s or h, > 0)");
        assertThat(failure(KEY + "-lifetime-25h").getMessage()).startsWith("lifetime: '25h'");
        assertThat(failure(KEY + "-country-xx").getMessage()).startsWith("country: 'xx' (expected: ISO 3166-1");
        assertThat(failure(KEY + "-colour-red").getMessage()).startsWith("'colour': unknown parameter");
        assertThat(failure(KEY + "-country-us-country-de").getMessage()).startsWith("country: given more than once");
        assertThat(failure(KEY + "-country").getMessage()).startsWith("country: missing value");
        assertThat(failure(KEY + "-country-").getMessage()).startsWith("country: missing value");
        assertThat(failure(KEY + "--country-us").getMessage()).startsWith("parameter name missing");
        assertThat(failure(KEY + "-session-" + "a".repeat(65)).getMessage()).startsWith("session: '");
        assertThat(failure(KEY + "-session-a.b").getMessage()).startsWith("session: 'a.b'");
        assertThat(failure(KEY + "-sesstype-forever").getMessage()).startsWith("sesstype: 'forever' (expected: rotating, sticky, per-request or strict)");
        assertThat(failure(KEY + "-asn-0").getMessage()).startsWith("asn: '0'");
        assertThat(failure(KEY + "-asn-99999999999").getMessage()).startsWith("asn: ");
        assertThat(failure(KEY + "-debug-2").getMessage()).startsWith("debug: '2' (expected: 1)");
        assertThat(failure(KEY + "-speed-x").error()).isEqualTo(ProxyError.INVALID_TARGETING);
        assertThat(failure(KEY + "-speed-slow").getMessage())
                .isEqualTo("speed: 'slow' (expected: fast, medium or a minimum measured throughput in Mbit/s, 1-100000)");
        assertThat(failure(KEY + "-latency-high").getMessage())
                .isEqualTo("latency: 'high' (expected: low or a maximum measured time to first byte in ms, 1-60000)");
        assertThat(failure(KEY + "-latency-high").error()).isEqualTo(ProxyError.INVALID_TARGETING);
        assertThat(failure(KEY + "-isp-at&t").getMessage()).startsWith("isp: 'at&t' (expected: 1-64 letters, digits or _)");
        assertThat(failure(KEY + "-zip-sw1a_1aa").getMessage()).startsWith("zip: 'sw1a_1aa' (expected: 1-16 letters or digits)");
    }

    @Test
    void profileIsOneOfThePresetsAndAnUnknownOneIsRefusedNamingTheParameter() throws Exception {
        assertThat(parse(KEY + "-profile-Firefox").targeting().profile()).isEqualTo("firefox");
        for (String name : new String[] {"chrome", "safari", "mobile"}) {
            assertThat(parse(KEY + "-profile-" + name).targeting().profile()).isEqualTo(name);
        }
        CredentialException unknown = failure(KEY + "-profile-opera");
        assertThat(unknown.error()).isEqualTo(ProxyError.INVALID_TARGETING);
        assertThat(unknown.getMessage()).isEqualTo("profile: 'opera' (expected: chrome, firefox, safari, mobile)");
        assertThat(failure(KEY + "-profile-chrome.win").getMessage()).startsWith("profile: 'chrome.win' (expected: chrome");
    }

    @Test
    void speedAndLatencyClassesAreMeasuredThresholds() throws Exception {
        assertThat(parse(KEY + "-speed-fast").targeting().minSpeedMbps()).isEqualTo(Targeting.SPEED_FAST_MBPS);
        assertThat(parse(KEY + "-speed-Medium").targeting().minSpeedMbps()).isEqualTo(Targeting.SPEED_MEDIUM_MBPS);
        assertThat(parse(KEY + "-latency-low").targeting().maxLatencyMillis()).isEqualTo(Targeting.LATENCY_LOW_MILLIS);
        assertThat(parse(KEY + "-speed-25-latency-800").targeting())
                .extracting(Targeting::minSpeedMbps, Targeting::maxLatencyMillis).containsExactly(25, 800);
        assertThat(parse(KEY + "-isp-Deutsche_Telekom_AG-zip-sw1a1aa").targeting())
                .extracting(Targeting::isp, Targeting::zip).containsExactly("deutsche_telekom_ag", "SW1A1AA");
    }

    @Test
    void badKeysAre407NotTargetingErrors() {
        assertThat(failure("iploop_abc").error()).isEqualTo(ProxyError.BAD_CREDENTIALS);
        assertThat(failure(KEY.toUpperCase()).error()).isEqualTo(ProxyError.BAD_CREDENTIALS);
        assertThat(failure(KEY + "x").error()).isEqualTo(ProxyError.BAD_CREDENTIALS);
        assertThat(failure("").error()).isEqualTo(ProxyError.BAD_CREDENTIALS);
        assertThat(failure(KEY + "-city-" + "a".repeat(1024)).error()).isEqualTo(ProxyError.BAD_CREDENTIALS);
        assertThatThrownBy(() -> ProxyCredentials.parse("", KEY)).isInstanceOf(CredentialException.class);
        assertThatThrownBy(() -> ProxyCredentials.parse("a b", KEY)).isInstanceOf(CredentialException.class);
    }

    @Property
    void anyInputEitherParsesOrFailsWithAMessage(@ForAll @StringLength(max = 1200) String suffix) {
        try {
            ProxyCredentials c = parse(KEY + suffix);
            assertThat(c.apiKey()).isEqualTo(KEY);
        } catch (CredentialException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertThat(e.error()).isIn(ProxyError.BAD_CREDENTIALS, ProxyError.INVALID_TARGETING);
        }
    }

    /**
     * Dash soup (parameter names and separators in any order) either parses or is refused with a
     * message; its cost is bounded by the length cap below, not measured here (timings belong in
     * benchmarks).
     */
    @Property
    void hostileDashSoupParsesOrFailsWithAMessage(@ForAll("dashSoup") String suffix) {
        try {
            parse(KEY + suffix);
        } catch (CredentialException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Test
    void aPasswordOverTheCapIsRefusedBeforeParsingAndSaysSo() {
        String longest = KEY + "-a".repeat((ProxyCredentials.MAX_PASSWORD_CHARS - KEY.length()) / 2);
        assertThatThrownBy(() -> parse(longest + "-country-de".repeat(10)))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("expected: at most " + ProxyCredentials.MAX_PASSWORD_CHARS);
    }

    @Provide
    Arbitrary<String> dashSoup() {
        return Arbitraries.strings().withChars("-a1sesstypercountyh").ofMaxLength(1000);
    }

    @Property
    void wellFormedParametersRoundTrip(@ForAll("targetings") String[] pair) throws Exception {
        Targeting t = parse(KEY + "-" + pair[0] + "-" + pair[1]).targeting();
        assertThat(t).isNotEqualTo(Targeting.NONE);
    }

    @Provide
    Arbitrary<String[]> targetings() {
        Arbitrary<String[]> country = Arbitraries.of(java.util.Locale.getISOCountries())
                .map(c -> new String[] {"country", Math.random() < 0.5 ? c : c.toLowerCase()});
        Arbitrary<String[]> city = Arbitraries.strings().withCharRange('a', 'z').withChars('_', '9').ofMinLength(1).ofMaxLength(64)
                .map(c -> new String[] {"city", c});
        Arbitrary<String[]> session = Arbitraries.strings().alpha().numeric().withChars('_').ofMinLength(1).ofMaxLength(64)
                .map(s -> new String[] {"session", s});
        Arbitrary<String[]> lifetime = Combinators.combine(Arbitraries.integers().between(1, 24), Arbitraries.of("", "h"))
                .as((n, unit) -> new String[] {"lifetime", n + unit});
        Arbitrary<String[]> asn = Arbitraries.integers().between(1, Integer.MAX_VALUE).map(n -> new String[] {"asn", Integer.toString(n)});
        return Arbitraries.oneOf(country, city, session, lifetime, asn);
    }

    @Test
    void sesstypeStrictIsAStickySessionThatNeverMoves() throws Exception {
        Targeting t = parse(KEY + "-session-abc-sesstype-strict").targeting();
        assertThat(t.sessionType()).isEqualTo(Targeting.SessionType.STICKY_STRICT);
        assertThat(t.sessionType().sticky()).isTrue();
        assertThat(failure(KEY + "-sesstype-stricter").getMessage()).contains("strict");
    }

    /** docs/ip-authorised-access.md: default targeting and X-IPLoop-Targeting without a key. */
    @Test
    void targetingAloneParsesLikeTheParametersAfterAKey() throws Exception {
        Targeting t = ProxyCredentials.parseTargeting(" country-us-session-abc ");
        assertThat(t.country()).isEqualTo("US");
        assertThat(t.session()).isEqualTo("abc");
        assertThat(t.sessionType()).isEqualTo(Targeting.SessionType.STICKY);
        assertThat(ProxyCredentials.parseTargeting("")).isEqualTo(Targeting.NONE);
        assertThatThrownBy(() -> ProxyCredentials.parseTargeting("country-zz"))
                .isInstanceOfSatisfying(CredentialException.class, e -> {
                    assertThat(e.error()).isEqualTo(ProxyError.INVALID_TARGETING);
                    assertThat(e.getMessage()).contains("country");
                });
        assertThatThrownBy(() -> ProxyCredentials.parseTargeting("-country-us")).isInstanceOf(CredentialException.class);
        assertThatThrownBy(() -> ProxyCredentials.parseTargeting("colour-red")).hasMessageContaining("colour");
    }
}
