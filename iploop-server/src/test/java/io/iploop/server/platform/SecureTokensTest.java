package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecureTokensTest {

    @Test
    void formats() {
        assertThat(SecureTokens.randomHex(24)).matches("[0-9a-f]{48}");
        assertThat(SecureTokens.randomBase32(12)).matches("[a-z2-7]{12}");
        assertThat(SecureTokens.randomHex(24)).isNotEqualTo(SecureTokens.randomHex(24));
    }

    @Test
    void sha256IsLowercaseHex() {
        assertThat(SecureTokens.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
