package io.iploop.server.platform;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.lang.annotation.Annotation;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bean Validation violations of a feature's command record (e.g. {@code plans.PlanSpec},
 * {@code accounts.NewAccount}) in the record's component order, so the service (first violation,
 * as a 400 {@code validation_failed} naming the field) and a dashboard form (one message per
 * field) report the same rule the same way ({@code docs/architecture.md}, "Rules in one place").
 * For one field, a missing value ({@code @NotNull}, {@code @NotBlank}) comes before any other
 * violation. Stateless.
 */
public final class RecordViolations {

    private RecordViolations() {}

    /**
     * One violated rule. Immutable.
     *
     * @param field the record component, e.g. {@code description} (also for a list element's violation)
     * @param message what is wrong, e.g. {@code size must be between 0 and 2000}
     * @param constraint the violated constraint's annotation, for a form that words its own message
     */
    public record Violation(String field, String message, Annotation constraint) {

        /** The constraint's annotation type, e.g. {@code Size.class}. */
        public Class<? extends Annotation> type() {
            return constraint.annotationType();
        }
    }

    /** The violation of the earliest component, if any. */
    public static <T extends Record> Optional<Violation> first(Class<T> type, Set<ConstraintViolation<T>> violations) {
        return sorted(type, violations).stream().findFirst();
    }

    /** The first violation of each field, fields in component order. */
    public static <T extends Record> Map<String, Violation> byField(Class<T> type, Set<ConstraintViolation<T>> violations) {
        Map<String, Violation> out = new LinkedHashMap<>();
        for (Violation v : sorted(type, violations)) {
            out.putIfAbsent(v.field(), v);
        }
        return out;
    }

    private static <T extends Record> List<Violation> sorted(Class<T> type, Set<ConstraintViolation<T>> violations) {
        List<String> order = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
        return violations.stream()
                .map(v -> new Violation(field(v.getPropertyPath()), v.getMessage(),
                        v.getConstraintDescriptor().getAnnotation()))
                .sorted(Comparator.comparingInt((Violation v) -> order.indexOf(v.field()))
                        .thenComparing(v -> v.type() == NotNull.class || v.type() == NotBlank.class ? 0 : 1)
                        .thenComparing(Violation::message))
                .toList();
    }

    private static String field(Path path) {
        for (Path.Node node : path) {
            if (node.getName() != null) {
                return node.getName();
            }
        }
        return path.toString();
    }
}
