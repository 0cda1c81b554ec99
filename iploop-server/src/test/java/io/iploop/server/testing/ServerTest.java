package io.iploop.server.testing;

import io.iploop.server.IploopApplication;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole server (HTTP on a random loopback port) with a configuration the test class supplies
 * itself in a {@code @DynamicPropertySource} method, starting from {@link
 * SharedPlatform#embeddedServer}; {@link Api} calls that server. Every class with its own
 * configuration gets its own Spring context, so use this only when the test needs a server the
 * shared one cannot be (no SMTP, an SMTP port nobody listens on); everything else uses {@link
 * PlatformTest}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = IploopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(Api.Binding.class)
public @interface ServerTest {
}
