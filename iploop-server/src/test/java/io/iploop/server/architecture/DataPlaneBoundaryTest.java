package io.iploop.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The server reaches the data plane only through its published API (docs/architecture.md, data plane):
 * the gateway's root package ({@code Gateway}, {@code GatewayConfig}) and its SPI, and the tunnel's
 * settings and agent-facing types. Everything else of the gateway is its own business.
 */
class DataPlaneBoundaryTest {

    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.iploop.server");

    @Test
    void serverUsesOnlyTheGatewaysPublicPackages() {
        noClasses().that().resideInAPackage("io.iploop.server..")
                .should().dependOnClassesThat(
                        DescribedPredicate.describe(
                                "are in the gateway but outside io.iploop.gateway and io.iploop.gateway.spi",
                                c -> c.getPackageName().startsWith("io.iploop.gateway.")
                                        && !c.getPackageName().equals("io.iploop.gateway.spi")))
                .check(SERVER);
    }

    @Test
    void serverNeverUsesTheTunnelsWireFormat() {
        // TunnelSettings for the node hub and the shared address rules (egress: Cidr for trusted
        // proxies and metrics scrapers) are public; the wire format (frame) stays the tunnel's own.
        noClasses().that().resideInAPackage("io.iploop.server..")
                .should().dependOnClassesThat().resideInAnyPackage("io.iploop.tunnel.frame..")
                .check(SERVER);
    }
}
