package io.iploop.server.plans;

import io.iploop.gateway.spi.TargetingOption;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A plan's targeting list: only the gateway's {@link TargetingOption} parameters, and always
 * {@code country} (every plan targets countries, {@code docs/architecture.md} "Rules in one place").
 * Null is valid (another constraint decides whether the list is required).
 */
@Documented
@Constraint(validatedBy = TargetingOptions.Check.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface TargetingOptions {

    String message() default "must include country and name only targeting options the gateway knows";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** The check behind {@link TargetingOptions}. Stateless, thread-safe. */
    final class Check implements ConstraintValidator<TargetingOptions, List<String>> {

        /** {@link TargetingOption#parameter()} of every option, in declaration order. */
        public static final List<String> PARAMETERS =
                Arrays.stream(TargetingOption.values()).map(TargetingOption::parameter).toList();

        @Override
        public boolean isValid(@Nullable List<String> targeting, ConstraintValidatorContext context) {
            if (targeting == null) {
                return true;
            }
            List<String> unknown = targeting.stream().filter(t -> !PARAMETERS.contains(t)).toList();
            String problem = !unknown.isEmpty()
                    ? unknown.stream().collect(Collectors.joining(", ")) + " (expected: any of " + String.join(", ", PARAMETERS) + ")"
                    : !targeting.contains(TargetingOption.COUNTRY.parameter()) ? "must include country" : null;
            if (problem != null) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate(problem.replace("{", "\\{").replace("$", "\\$"))
                        .addConstraintViolation();
            }
            return problem == null;
        }
    }
}
