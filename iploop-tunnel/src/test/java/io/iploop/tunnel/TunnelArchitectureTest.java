package io.iploop.tunnel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The tunnel's package structure, checked (docs/architecture.md, data plane): the wire format
 * ({@code frame}) and the egress policy depend on nothing else of the tunnel, and the tunnel on
 * nothing of the modules built on it.
 */
class TunnelArchitectureTest {

    private static final JavaClasses TUNNEL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.iploop.tunnel");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.iploop.(**)").should().beFreeOfCycles().check(TUNNEL);
    }

    @Test
    void dependsOnNoOtherModule() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "io.iploop.gateway..", "io.iploop.node..", "io.iploop.server..", "org.springframework..")
                .check(TUNNEL);
    }
}
