package io.iploop.server.platform.v2;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code GET /api/v2/…} handler that returns a {@link Paged} list and declares what its
 * query string accepts (docs/product/api.md#api-v2): {@code page}, {@code limit} (1 to {@link #maxLimit()}),
 * {@code sort} (one of {@link #sort()}), {@code order} ({@code asc}/{@code desc}), {@code fields} (record
 * components of {@link #value()}) and the {@link #filters()}. Anything else, except the handler's own
 * {@code @RequestParam}s, is refused with 400 naming it. The parsed query reaches the handler as a
 * {@link ListQuery} argument; the same declaration documents the parameters in OpenAPI. Names may
 * be written in camelCase or snake_case ({@code created_at}).
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface V2List {

    /** The record type of one item: its components are the names {@code fields} accepts. */
    Class<? extends Record> value();

    /** Filter parameters, camelCase (e.g. {@code country}, {@code status}). */
    String[] filters() default {};

    /** Sort fields allowed, camelCase; the first is the default. Must not be empty. */
    String[] sort();

    /** Default order when {@code order} is absent. */
    boolean ascending() default false;

    /** Page size when {@code limit} is absent. */
    int defaultLimit() default 20;

    /** Largest {@code limit} accepted. */
    int maxLimit() default 100;
}
