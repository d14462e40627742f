package io.convergence.engine.validation;

/** JSON Pointer (RFC 6901) building: the keys of {@link Locator} and source maps. */
public final class Pointers {
    private Pointers() {
    }

    /** {@code parent/key} with {@code ~} and {@code /} in the key escaped. */
    public static String child(String parent, String key) {
        return parent + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String parent, int index) {
        return parent + "/" + index;
    }
}
