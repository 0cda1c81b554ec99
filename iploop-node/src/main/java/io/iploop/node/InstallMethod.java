package io.iploop.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How the agent was installed, as the earn dashboard shows it (docs/product/earn.md#devices): {@code docker},
 * {@code linux}, {@code windows}, {@code macos} or {@code android}. Stateless.
 */
public final class InstallMethod {

    /** The values the control plane accepts. */
    public static final Set<String> VALUES = Set.of("docker", "linux", "windows", "macos", "android");

    /** Set by the Docker image; wins over detection when it holds one of {@link #VALUES}. */
    public static final String ENV = "PROXYCLAW_INSTALL_METHOD";

    private InstallMethod() {}

    /** {@value #ENV} if valid, else from the runtime: Android VM, OS name, Docker's {@code /.dockerenv}. */
    public static String detect() {
        String env = System.getenv(ENV);
        if (env != null && VALUES.contains(env.strip().toLowerCase(Locale.ROOT))) {
            return env.strip().toLowerCase(Locale.ROOT);
        }
        return fromRuntime(System.getProperty("os.name"), System.getProperty("java.vendor"),
                Files.exists(Path.of("/.dockerenv")));
    }

    static String fromRuntime(@Nullable String osName, @Nullable String javaVendor, boolean dockerEnv) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (javaVendor != null && javaVendor.toLowerCase(Locale.ROOT).contains("android")) {
            return "android";
        }
        if (os.startsWith("windows")) {
            return "windows";
        }
        if (os.startsWith("mac")) {
            return "macos";
        }
        return dockerEnv ? "docker" : "linux";
    }
}
