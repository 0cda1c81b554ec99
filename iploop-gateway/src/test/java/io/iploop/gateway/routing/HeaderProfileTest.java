package io.iploop.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The maintained header presets (docs/header-profiles.md): loading, the replace/fill rule, and malformed lists. */
class HeaderProfileTest {

    @Test
    void theMaintainedListHasTheFourDocumentedPresetsWithoutHeadersBrowsersSendOnlyToSecureOrigins() {
        assertThat(HeaderProfile.names()).containsExactly("chrome", "firefox", "safari", "mobile");
        for (String name : HeaderProfile.names()) {
            HttpHeaders h = new DefaultHttpHeaders();
            HeaderProfile.apply(name, h);
            assertThat(h.get("User-Agent")).as(name).startsWith("Mozilla/5.0 (");
            assertThat(h.get("Accept")).as(name).startsWith("text/html,");
            assertThat(h.get("Accept-Language")).as(name).startsWith("en-US,en;q=");
            assertThat(h.get("Upgrade-Insecure-Requests")).as(name).isEqualTo("1");
            assertThat(h.names()).as(name).noneMatch(n -> n.regionMatches(true, 0, "sec-", 0, 4))
                    .noneMatch(n -> n.equalsIgnoreCase("accept-encoding"));
        }
        assertThat(HeaderProfile.named("firefox").headers()).contains(Map.entry("User-Agent",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"));
        assertThat(HeaderProfile.named("mobile").headers().toString()).contains("Android").contains("Mobile Safari");
        assertThat(HeaderProfile.named("safari").headers().toString()).contains("Version/18.1 Safari/605.1.15")
                .doesNotContain("Chrome");
    }

    @Test
    void userAgentIsReplacedAndTheCustomersOtherHeadersAreKept() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("user-agent", "curl/8.5.0")
                .add("Accept", "application/json")
                .add("Cookie", "a=b");
        HeaderProfile.apply("chrome", h);
        assertThat(h.getAll("User-Agent")).singleElement().asString().contains("Chrome/131.0.0.0").doesNotContain("curl");
        assertThat(h.getAll("Accept")).containsExactly("application/json");
        assertThat(h.get("Cookie")).isEqualTo("a=b");
        assertThat(h.get("Accept-Language")).isEqualTo("en-US,en;q=0.9");
    }

    @Test
    void noProfileChangesNothingAndAnUnknownOneIsAnError() {
        HttpHeaders h = new DefaultHttpHeaders().add("User-Agent", "curl/8.5.0");
        HeaderProfile.apply(null, h);
        assertThat(h.names()).containsExactly("User-Agent");
        assertThat(HeaderProfile.named("opera")).isNull();
        assertThatThrownBy(() -> HeaderProfile.apply("opera", h)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("profile: 'opera'");
    }

    @Test
    void theListFormatKeepsOrderAndIgnoresComments() {
        Map<String, HeaderProfile> p = HeaderProfile.parse("# c\n\n[b]\r\nUser-Agent: B/1\nAccept: x\n[a]\n  User-Agent :  A/1  \n");
        assertThat(p.keySet()).containsExactly("b", "a");
        assertThat(p.get("b").headers()).containsExactly(Map.entry("User-Agent", "B/1"), Map.entry("Accept", "x"));
        assertThat(p.get("a").headers()).containsExactly(Map.entry("User-Agent", "A/1"));
    }

    @Test
    void aMalformedListIsRefusedNamingTheLine() {
        assertThatThrownBy(() -> HeaderProfile.parse("User-Agent: x\n")).hasMessage("line 1: header before the first [name]");
        assertThatThrownBy(() -> HeaderProfile.parse("[Chrome]\n")).hasMessageStartingWith("line 1: [Chrome] (expected [name]");
        assertThatThrownBy(() -> HeaderProfile.parse("[a]\nUser-Agent x\n")).hasMessage("line 2: expected Header-Name: value");
        assertThatThrownBy(() -> HeaderProfile.parse("[a]\nUser Agent: x\n")).hasMessageStartingWith("line 2: invalid header");
        assertThatThrownBy(() -> HeaderProfile.parse("[a]\nUser-Agent: \u00e9\n")).hasMessageStartingWith("line 2: invalid header");
        assertThatThrownBy(() -> HeaderProfile.parse("[a]\nUser-Agent: x\nuser-agent: y\n")).hasMessage("line 3: user-agent given twice in a");
        assertThatThrownBy(() -> HeaderProfile.parse("[a]\nUser-Agent: x\n[a]\n")).hasMessage("line 3: profile a given twice");
        assertThatThrownBy(() -> HeaderProfile.parse("[a]\nAccept: x\n")).hasMessage("profile a: no User-Agent");
    }
}
