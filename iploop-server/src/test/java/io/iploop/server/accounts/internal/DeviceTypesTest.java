package io.iploop.server.accounts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceTypesTest {

    @Test
    void guessesTheKindOfDevice() {
        assertThat(DeviceTypes.of("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/141.0 Safari/537.36"))
                .isEqualTo("desktop");
        assertThat(DeviceTypes.of("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"))
                .isEqualTo("desktop");
        assertThat(DeviceTypes.of("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148")).isEqualTo("mobile");
        assertThat(DeviceTypes.of("Mozilla/5.0 (Linux; Android 15; Pixel 9) Chrome/141.0 Mobile Safari/537.36"))
                .isEqualTo("mobile");
        assertThat(DeviceTypes.of("Mozilla/5.0 (iPad; CPU OS 18_0 like Mac OS X)")).isEqualTo("tablet");
        assertThat(DeviceTypes.of("Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/141.0 Safari/537.36")).isEqualTo("tablet");
        assertThat(DeviceTypes.of("curl/8.14.1")).isEqualTo("api client");
        assertThat(DeviceTypes.of("Java-http-client/25")).isEqualTo("api client");
        assertThat(DeviceTypes.of("python-requests/2.32")).isEqualTo("api client");
        assertThat(DeviceTypes.of(null)).isEqualTo("unknown");
        assertThat(DeviceTypes.of(" ")).isEqualTo("unknown");
        assertThat(DeviceTypes.of("SomethingElse/1.0")).isEqualTo("unknown");
    }
}
