package io.iploop.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The gateway's package structure, checked (docs/architecture.md, data plane): no package cycles,
 * handlers free of JDBC and Spring, and an SPI that depends on nothing else of the gateway.
 */
class GatewayArchitectureTest {

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.iploop.gateway");

    @Test
    void packagesAreFreeOfCycles() {
        // Every package is its own slice, the root package io.iploop.gateway included.
        slices().matching("io.iploop.(**)").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void handlersUseNeitherJdbcNorSpring() {
        noClasses().that().resideInAnyPackage(
                        "io.iploop.gateway.http..", "io.iploop.gateway.socks..", "io.iploop.gateway.proxy..",
                        "io.iploop.gateway.node..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.springframework..")
                .check(GATEWAY);
    }

    @Test
    void theSpiStandsAlone() {
        classes().that().resideInAPackage("io.iploop.gateway.spi")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.iploop.gateway.spi", "java..", "org.jspecify..")
                .check(GATEWAY);
    }
}
