package io.convergence.engine.settings;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.model.WorkspaceConfig;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Effective settings: workspace.yml, then {@code CONVERGENCE_*} environment variables, then CLI flags.
 * Holds no secrets of its own; credentials are only ever references (adc, a key path).
 */
public final class Settings {
    private final Map<Setting, String> overrides;

    private Settings(Map<Setting, String> overrides) {
        this.overrides = overrides;
    }

    /** Reads overrides from the environment first and the flags second, so flags win. */
    public static Settings resolve(Map<String, String> environment, Map<Setting, String> flags) {
        requireNonNull(environment, "environment is null");
        requireNonNull(flags, "flags is null");
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String env = environment.get(s.envName());
            if (env != null && !env.isBlank()) {
                values.put(s, env.trim());
            }
        }
        flags.forEach((s, v) -> {
            if (v != null && !v.isBlank()) {
                values.put(s, v.trim());
            }
        });
        return new Settings(values);
    }

    public static Settings fromEnvironment() {
        return resolve(System.getenv(), Map.of());
    }

    public Optional<String> get(Setting setting) {
        return Optional.ofNullable(overrides.get(setting));
    }

    /** The workspace config with every override applied; a malformed value is a USER error naming the variable. */
    public WorkspaceConfig applyTo(WorkspaceConfig config) {
        WorkspaceConfig result = config;
        for (Map.Entry<Setting, String> e : overrides.entrySet()) {
            try {
                result = e.getKey().applyTo(result, e.getValue());
            } catch (ConvergenceException ex) {
                throw new ConvergenceException(ErrorCode.SETTING_INVALID,
                        e.getKey().envName() + ": " + ex.getMessage(), ex);
            }
        }
        return result;
    }

    /** The text of {@code .env.example}: every setting, its default and what it does. */
    public static String envExample() {
        StringBuilder out = new StringBuilder()
                .append("# Convergence settings. Precedence: workspace.yml, then these variables, then CLI flags.\n")
                .append("# Generated from io.convergence.engine.settings.Setting; there are no secrets here and\n")
                .append("# none belong here: BigQuery credentials are 'adc' or a path to a key file.\n");
        for (Setting s : Setting.values()) {
            out.append('\n').append("# ").append(s.description()).append('\n');
            out.append("# ").append(s.envName()).append('=').append(s.defaultValue()).append('\n');
        }
        return out.toString();
    }
}
