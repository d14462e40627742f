package io.convergence.engine.model.meta;

import java.lang.reflect.RecordComponent;
import java.util.Locale;

/** Naming conventions shared by the YAML loader, writer and schema generator. */
public final class Names {
    private Names() {
    }

    /** YAML key of a record component: {@link Key} if present, else snake_case of the name. */
    public static String yamlKey(RecordComponent component) {
        Key key = component.getAnnotation(Key.class);
        return key != null ? key.value() : snakeCase(component.getName());
    }

    public static String snakeCase(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** YAML spelling of an enum constant: its name in lower case ({@code REPLACE_PARTITIONS} is {@code replace_partitions}). */
    public static String yamlValue(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }
}
