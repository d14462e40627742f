package io.convergence.engine.model.meta;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a property takes when the YAML omits it, written as it would be in YAML.
 * The single source for the loader's defaults, the schema's {@code default} and the writer's omissions.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Default {
    String value();
}
