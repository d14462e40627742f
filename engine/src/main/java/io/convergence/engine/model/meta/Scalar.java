package io.convergence.engine.model.meta;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A text property whose YAML value may be any scalar: a string, a number or a boolean
 * ({@code default: 0.5}, {@code min: 0}, {@code values: [1, 2]}). The model keeps the scalar's text as written;
 * the schema accepts all three JSON types. On a list's type argument it applies to each element.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE})
public @interface Scalar {
}
