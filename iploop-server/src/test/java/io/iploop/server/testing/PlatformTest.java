package io.iploop.server.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.ContextConfiguration;

/**
 * The shared running platform: a {@link ServerTest} configured by {@link SharedPlatform} (embedded
 * PostgreSQL, gateway and local node on ephemeral loopback ports, mail to {@link Mailbox#SMTP},
 * PayPal at {@link PayPalStub#PAYPAL}, jobs only on demand).
 *
 * <p>Every class annotated with it has exactly the same Spring test configuration, so Spring's
 * test context cache starts the platform once per test JVM and all of them share it. Keep it that
 * way: a test class that adds properties, {@code @MockitoBean}s, {@code @Import}s or profiles
 * gets a second server (and a second embedded PostgreSQL); such a test uses {@link ServerTest}
 * with its own configuration instead, knowing the cost.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ServerTest
@ContextConfiguration(initializers = SharedPlatform.class)
public @interface PlatformTest {
}
