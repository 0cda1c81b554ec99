package io.iploop.server.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A dashboard test in a real browser: one headless Chromium per test class, managed by {@link
 * Browser} (hence one test instance per class). Use it together with {@link PlatformTest}; the
 * helpers are the static methods of {@link Browser}, and fields of type {@code ChromeDriver} and
 * {@code WebDriverWait} in the test class are set to the class's browser and its 15 s wait.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Browser.class)
public @interface BrowserTest {
}
