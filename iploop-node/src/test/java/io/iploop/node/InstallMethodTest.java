package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Install method detection and the registration body the agent sends. */
class InstallMethodTest {

    @Test
    void detectsThePlatformTheDashboardShows() {
        assertThat(InstallMethod.fromRuntime("Linux", "Eclipse Adoptium", false)).isEqualTo("linux");
        assertThat(InstallMethod.fromRuntime("Linux", "Eclipse Adoptium", true)).isEqualTo("docker");
        assertThat(InstallMethod.fromRuntime("Windows 11", "Oracle", false)).isEqualTo("windows");
        assertThat(InstallMethod.fromRuntime("Mac OS X", "Oracle", false)).isEqualTo("macos");
        assertThat(InstallMethod.fromRuntime("Linux", "The Android Project", false)).isEqualTo("android");
        assertThat(InstallMethod.VALUES).contains(InstallMethod.detect());
    }

    @Test
    void registrationStringsAreEscapedJson() {
        assertThat(DeviceRegistrar.json("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\u000a\"");
    }
}
