package io.iploop.server.platform.v2;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code GET /api/v2/…} handler that returns one object: it accepts {@code fields} (record
 * components of {@link #value()}) besides its own {@code @RequestParam}s; anything else is refused
 * with 400 naming it. Documented in OpenAPI from this declaration.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface V2Get {

    /** The record type returned: its components are the names {@code fields} accepts. */
    Class<? extends Record> value();
}
