package io.iploop.server;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.modulith.Modulithic;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The Spring Boot application: every feature package below this one is component-scanned and is a
 * Spring Modulith application module (checked by {@code ModularityTest}; {@code docs/architecture.md});
 * {@code platform} is the shared module every feature may use.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@Modulithic(systemName = "IPLoop control plane", sharedModules = "platform")
@ConfigurationPropertiesScan
@EnableScheduling
public class IploopApplication {
}
