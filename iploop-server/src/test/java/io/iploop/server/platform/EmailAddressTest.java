package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The one e-mail check: bounded first, then a linear scan ({@code docs/security.md}). */
class EmailAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"a@b.co", "first.last+tag@mail.example.com", "x_y-z@sub-domain.example.org", "o'hara@example.ie",
        "admin@iploop.local", "jürgen@bücher.de"})
    void accepts(String address) {
        assertThat(EmailAddress.problem(address)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com", ".a@b.com", "a.@b.com", "a..b@c.com",
        "a b@c.com", "a@-b.com", "a@b-.com", "a@b..com", "a@.b.com", "a@b.com.", "a@1.2.3.4", "a@[10.0.0.1]", "\"q\"@b.com",
        "a@b.c\u0000m", "a\u0000@b.com"})
    void refuses(String address) {
        assertThat(EmailAddress.problem(address)).isNotNull();
    }

    @Test
    void lengthIsBoundedBeforeAnythingElse() {
        String local = "a".repeat(64);
        String domain = "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".com"; // 254 in all with local part
        assertThat(EmailAddress.problem(local + "@" + domain)).isNull();
        assertThat((local + "@" + domain).length()).isEqualTo(EmailAddress.MAX_LENGTH);
        assertThat(EmailAddress.problem(local + "@x" + domain)).contains("too long");
        assertThat(EmailAddress.problem("a".repeat(65) + "@b.com")).isEqualTo("is not a valid e-mail address");
        // The inputs that made the old hand-written pattern backtrack are refused by the bound alone.
        assertThat(EmailAddress.problem("a@" + ".".repeat(65_536) + "@")).isEqualTo("is too long (at most 254 characters)");
        assertThat(EmailAddress.problem("a@" + "a.".repeat(32_768) + "!")).isEqualTo("is too long (at most 254 characters)");
    }
}
