package io.iploop.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * Every feature package of the control plane is a Spring Modulith application module (DESIGN §2,
 * §10; {@code docs/architecture.md}): {@code verify()} fails on a dependency cycle between
 * features, on a reference into another feature's {@code .internal} package or undeclared named
 * interface, and on a dependency that a module's {@code allowedDependencies} does not list. The
 * same run writes the module documentation (component diagrams per module and overall, module
 * canvases) into the repository's {@code docs/modules/}, so every build keeps it current. A unit
 * test: it reads class files, no Spring context.
 */
class ModularityTest {

    static final ApplicationModules MODULES = ApplicationModules.of(IploopApplication.class);

    @Test
    void featuresAreVerifiedApplicationModules() {
        MODULES.verify();
    }

    @Test
    void writesModuleDocumentation() {
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(docsModules().toString()))
                .writeDocumentation();
    }

    /** {@code <repo>/docs/modules}, whether the build runs from the repository root or from iploop-server. */
    static Path docsModules() {
        Path cwd = Path.of("").toAbsolutePath();
        Path root = cwd.resolve("iploop-server").toFile().isDirectory() ? cwd : cwd.getParent();
        return root.resolve("docs").resolve("modules");
    }
}
