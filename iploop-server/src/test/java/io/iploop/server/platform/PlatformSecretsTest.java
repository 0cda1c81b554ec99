package io.iploop.server.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlatformSecretsTest {

    private final PlatformSecrets secrets = new PlatformSecrets(SecureTokens.randomBytes(64), SecureTokens.randomBytes(32));

    @Test
    void encryptsWithAFreshIvAndDecryptsWithTheSameAssociatedData() {
        String a = secrets.encrypt("JBSWY3DPEHPK3PXP", "user-1");
        String b = secrets.encrypt("JBSWY3DPEHPK3PXP", "user-1");
        assertThat(a).startsWith("v1:").doesNotContain("JBSWY3DPEHPK3PXP").isNotEqualTo(b);
        assertThat(secrets.decrypt(a, "user-1")).isEqualTo("JBSWY3DPEHPK3PXP");
        assertThat(secrets.decrypt(b, "user-1")).isEqualTo("JBSWY3DPEHPK3PXP");
    }

    @Test
    void refusesOtherAssociatedDataOtherKeysAndTampering() {
        String sealed = secrets.encrypt("secret", "user-1");
        assertThatThrownBy(() -> secrets.decrypt(sealed, "user-2")).isInstanceOf(IllegalArgumentException.class);
        PlatformSecrets other = new PlatformSecrets(SecureTokens.randomBytes(64), SecureTokens.randomBytes(32));
        assertThatThrownBy(() -> other.decrypt(sealed, "user-1")).isInstanceOf(IllegalArgumentException.class);
        char last = sealed.charAt(sealed.length() - 2);
        String tampered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        assertThatThrownBy(() -> secrets.decrypt(tampered, "user-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> secrets.decrypt("plain", "user-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
