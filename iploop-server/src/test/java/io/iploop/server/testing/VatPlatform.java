package io.iploop.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The configuration of the {@link VatPlatformTest} context: the {@link SharedPlatform} settings in
 * a data directory of its own, with a seller registered for VAT in Germany (19 %), so invoices carry
 * tax (docs/billing.md#vat). The shared platform keeps the default unregistered seller, whose
 * invoices other features' tests expect without tax. Not a Spring component.
 */
public final class VatPlatform implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** The data directory of the VAT platform, one per test JVM. */
    public static final Path DATA_DIR;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("iploop-it-vat-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        Map<String, Object> values = new LinkedHashMap<>();
        SharedPlatform.properties((name, value) -> values.put(name, value.get()));
        values.put("iploop.data-dir", DATA_DIR.toString());
        values.put("iploop.billing.vat.registered", "true");
        values.put("iploop.billing.vat.seller-country", "DE");
        values.put("iploop.billing.vat.seller-vat-id", "DE123456789");
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("iploop-vat-platform-test", values));
    }
}
