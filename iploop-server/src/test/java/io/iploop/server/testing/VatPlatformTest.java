package io.iploop.server.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.ContextConfiguration;

/**
 * A second running platform whose seller is registered for VAT ({@link VatPlatform}). All classes
 * annotated with it share one context, at the cost of one more server next to the
 * {@link PlatformTest} one; only billing tests that need tax on invoices use it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ServerTest
@ContextConfiguration(initializers = VatPlatform.class)
public @interface VatPlatformTest {
}
