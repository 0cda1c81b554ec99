package io.iploop.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The node agent's structure, checked (docs/architecture.md, data plane): it speaks to the gateway
 * only through the tunnel protocol, so it never depends on gateway or server code, and its
 * packages have no cycles.
 */
class NodeArchitectureTest {

    private static final JavaClasses NODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.iploop.node");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.iploop.(**)").should().beFreeOfCycles().check(NODE);
    }

    @Test
    void neverDependsOnGatewayOrServer() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.iploop.gateway..", "io.iploop.server..")
                .check(NODE);
    }
}
