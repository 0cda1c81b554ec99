package io.iploop.server.platform.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.properties.SwaggerUiConfigProperties;
import org.springdoc.core.properties.SwaggerUiOAuthProperties;
import org.springdoc.core.providers.ObjectMapperProvider;
import org.springdoc.webmvc.ui.SwaggerIndexPageTransformer;
import org.springdoc.webmvc.ui.SwaggerIndexTransformer;
import org.springdoc.webmvc.ui.SwaggerWelcomeCommon;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ConfigurationClassPostProcessor;
import org.springframework.core.Conventions;
import org.springframework.core.type.MethodMetadata;
import org.springframework.util.function.SingletonSupplier;

/**
 * Builds the OpenAPI document's machinery ({@code /api/openapi.json}, Swagger UI) on the first request
 * that needs it instead of at start.
 *
 * <p>springdoc creates its services at start ({@code @Lazy(false)}), and with them swagger-core's
 * object mappers, model converters and resolvers: classes and objects an idle server never uses, that
 * the launcher's AOT cache would otherwise hold and map at every start (README, "Start-up time and
 * memory"). This marks springdoc's beans lazy;
 * Spring MVC still maps springdoc's controllers at start (by type) and creates them, with everything
 * they need, on their first request. Kept eager: springdoc's configuration classes (see
 * {@link #CONFIGURATION_CLASS}), post-processors and start-up callbacks
 * ({@link SmartInitializingSingleton}, {@link ApplicationListener}), which only run if created at start.
 * springdoc's {@link #REGISTRARS} are made dependencies of its OpenAPI service, so the document is the
 * same as when they ran at start.
 *
 * <p>Swagger UI's resource handler (a {@code WebMvcConfigurer}, created at start by Spring MVC)
 * needs an index-page transformer, whose springdoc implementation takes the object mappers; the one
 * declared here makes that implementation on the first page served.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsOnDemandConfig {

    /**
     * springdoc's beans that only register something with swagger-core's static configuration (extra
     * schema types; the model converters that unwrap {@code ResponseEntity}, files, polymorphic
     * types): nothing asks for them, so lazy they would never be made; by name.
     */
    static final List<String> REGISTRARS = List.of("initExtraSchemas", "modelConverterRegistrar");

    /**
     * Bean definition attribute that marks a configuration class (ConfigurationClassPostProcessor's).
     * springdoc's configuration classes stay eager: their static initialisers register what the
     * document leaves out or replaces (ResponseEntity, {@code @AuthenticationPrincipal} parameters, ...).
     */
    static final String CONFIGURATION_CLASS = Conventions.getQualifiedAttributeName(
            ConfigurationClassPostProcessor.class, "configurationClass");

    /** springdoc's OpenAPI service, by name: every document is built through it. */
    static final String OPENAPI_SERVICE = "openAPIBuilder";

    @Bean
    static BeanFactoryPostProcessor apiDocsOnDemand() {
        return ApiDocsOnDemandConfig::deferSpringdoc;
    }

    /** Swagger UI's index-page transformer, made (with springdoc's object mappers) on the first page. */
    @Bean
    SwaggerIndexTransformer onDemandSwaggerIndexTransformer(SwaggerUiConfigProperties ui,
            SwaggerUiOAuthProperties oauth, ObjectProvider<SwaggerWelcomeCommon> welcome,
            ObjectProvider<ObjectMapperProvider> mappers) {
        SingletonSupplier<SwaggerIndexTransformer> real = SingletonSupplier.of(
                () -> new SwaggerIndexPageTransformer(ui, oauth, welcome.getObject(), mappers.getObject()));
        return (request, resource, chain) -> real.obtain().transform(request, resource, chain);
    }

    /** Marks springdoc's bean definitions lazy (see the class comment); runs before any bean is made. */
    static void deferSpringdoc(ConfigurableListableBeanFactory beanFactory) {
        for (String name : beanFactory.getBeanDefinitionNames()) {
            BeanDefinition definition = beanFactory.getBeanDefinition(name);
            if (!fromSpringdoc(beanFactory, definition) || definition.getAttribute(CONFIGURATION_CLASS) != null) {
                continue;
            }
            @Nullable Class<?> type = beanFactory.getType(name, false);
            if (type == null || SmartInitializingSingleton.class.isAssignableFrom(type)
                    || ApplicationListener.class.isAssignableFrom(type)
                    || BeanFactoryPostProcessor.class.isAssignableFrom(type)
                    || BeanPostProcessor.class.isAssignableFrom(type)) {
                continue;
            }
            definition.setLazyInit(true);
        }
        if (beanFactory.containsBeanDefinition(OPENAPI_SERVICE)) {
            BeanDefinition service = beanFactory.getBeanDefinition(OPENAPI_SERVICE);
            List<String> dependsOn = new ArrayList<>(
                    service.getDependsOn() == null ? List.of() : Arrays.asList(service.getDependsOn()));
            REGISTRARS.stream().filter(beanFactory::containsBeanDefinition).forEach(dependsOn::add);
            service.setDependsOn(dependsOn.toArray(String[]::new));
        }
    }

    /** Whether the bean's class, or the configuration class declaring its factory method, is springdoc's. */
    private static boolean fromSpringdoc(ConfigurableListableBeanFactory beanFactory, BeanDefinition definition) {
        @Nullable String owner = definition.getBeanClassName();
        if (owner == null && definition instanceof AnnotatedBeanDefinition annotated) {
            @Nullable MethodMetadata factoryMethod = annotated.getFactoryMethodMetadata();
            owner = factoryMethod == null ? null : factoryMethod.getDeclaringClassName();
        }
        if (owner == null && definition.getFactoryBeanName() != null
                && beanFactory.containsBeanDefinition(definition.getFactoryBeanName())) {
            owner = beanFactory.getBeanDefinition(definition.getFactoryBeanName()).getBeanClassName();
        }
        return owner != null && owner.startsWith("org.springdoc.");
    }
}
