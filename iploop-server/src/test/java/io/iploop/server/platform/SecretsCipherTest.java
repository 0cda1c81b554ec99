package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretsCipherTest {

    private final SecretsCipher cipher = SecretsCipher.withKey(SecureTokens.randomBytes(32));

    @Test
    void roundTripsAndNeverRepeatsACiphertext() {
        String a = cipher.encrypt("{\"email\":\"op@example.com\"}", "user-1");
        String b = cipher.encrypt("{\"email\":\"op@example.com\"}", "user-1");
        assertThat(a).startsWith("v1:").doesNotContain("example.com").isNotEqualTo(b);
        assertThat(cipher.decrypt(a, "user-1")).isEqualTo("{\"email\":\"op@example.com\"}");
    }

    @Test
    void refusesAnotherOwnerAnotherKeyAndTampering() {
        String sealed = cipher.encrypt("secret", "user-1");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "user-2")).hasMessageContaining("authentication failed");
        assertThatThrownBy(() -> SecretsCipher.withKey(SecureTokens.randomBytes(32)).decrypt(sealed, "user-1"))
                .hasMessageContaining("authentication failed");
        char[] chars = sealed.toCharArray();
        chars[10] = chars[10] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> cipher.decrypt(new String(chars), "user-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cipher.decrypt("plain", "user-1")).hasMessageContaining("unknown format");
    }
}
