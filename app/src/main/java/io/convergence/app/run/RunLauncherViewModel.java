package io.convergence.app.run;

import static java.util.Objects.requireNonNull;

import io.convergence.app.ui.SessionViewModel;
import io.convergence.engine.config.LoadedPipeline;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.model.Parameter;
import io.convergence.engine.model.ParameterType;
import io.convergence.engine.model.Partitioning;
import io.convergence.engine.service.ParameterResolver;
import io.convergence.engine.service.RunRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The run launcher form of one pipeline: target, typed parameters (each validated as it is typed, with the
 * engine's own parser), partition range, dry run (the plan as {@code run --dry-run} prints it) and Run.
 */
public final class RunLauncherViewModel {
    /** One declared parameter and its edited value (text in the engine's format; the view picks the editor by type). */
    public static final class ParameterField {
        private final String name;
        private final Parameter parameter;
        private final StringProperty value;
        private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");

        ParameterField(String name, Parameter parameter, ParameterResolver resolver) {
            this.name = name;
            this.parameter = parameter;
            this.value = new SimpleStringProperty(this, name, parameter.defaultValue() == null ? "" : parameter.defaultValue());
            value.addListener((o, a, b) -> validate(resolver));
            validate(resolver);
        }

        private void validate(ParameterResolver resolver) {
            String text = value.get();
            if (text == null || text.isEmpty()) {
                error.set(parameter.type() == ParameterType.STRING && parameter.defaultValue() != null ? "" : "required");
                return;
            }
            try {
                resolver.parse(name, parameter.type(), text);
                error.set("");
            } catch (ConvergenceException e) {
                error.set(e.getMessage());
            }
        }

        public String name() {
            return name;
        }

        public ParameterType type() {
            return parameter.type();
        }

        public String description() {
            return parameter.description() == null ? "" : parameter.description();
        }

        public Optional<String> defaultValue() {
            return Optional.ofNullable(parameter.defaultValue());
        }

        /** The value as text: {@code 2024-06-10}, {@code today}, {@code 42}, {@code true}. */
        public StringProperty valueProperty() {
            return value;
        }

        /** Why the value is not valid, or empty. */
        public ReadOnlyStringProperty errorProperty() {
            return error.getReadOnlyProperty();
        }
    }

    private final SessionViewModel session;
    private final LoadedPipeline pipeline;
    private final ParameterResolver resolver;
    private final Consumer<RunViewModel> onStarted;
    private final ObservableList<String> targets;
    private final StringProperty target;
    private final List<ParameterField> parameters = new ArrayList<>();
    private final StringProperty from = new SimpleStringProperty(this, "from", "");
    private final StringProperty to = new SimpleStringProperty(this, "to", "");
    private final ReadOnlyStringWrapper plan = new ReadOnlyStringWrapper(this, "plan", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final BooleanBinding valid;

    /**
     * @param targets target names from workspace.yml; {@code defaultTarget} is preselected
     * @param onStarted gets the started run's view model (the shell opens its tab)
     */
    public RunLauncherViewModel(SessionViewModel session, LoadedPipeline pipeline, List<String> targets, String defaultTarget,
            Clock clock, Consumer<RunViewModel> onStarted) {
        this.session = requireNonNull(session, "session is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.resolver = new ParameterResolver(requireNonNull(clock, "clock is null"));
        this.onStarted = requireNonNull(onStarted, "onStarted is null");
        this.targets = FXCollections.observableArrayList(targets);
        this.target = new SimpleStringProperty(this, "target", defaultTarget);
        // sorted, so the form is stable whatever order the YAML map had
        new TreeMap<>(pipeline.pipeline().parameters()).forEach((name, p) -> parameters.add(new ParameterField(name, p, resolver)));
        List<javafx.beans.Observable> dependencies = new ArrayList<>();
        parameters.forEach(p -> dependencies.add(p.errorProperty()));
        dependencies.add(busy);
        dependencies.add(target);
        boolean runnable = pipeline.isValid();
        if (!runnable) {
            error.set(pipeline.qualifiedName() + " has configuration errors (see Problems); fix them before running it");
        }
        valid = Bindings.createBooleanBinding(() -> runnable && !busy.get() && target.get() != null
                && parameters.stream().allMatch(p -> p.errorProperty().get().isEmpty()), dependencies.toArray(javafx.beans.Observable[]::new));
    }

    public String pipelineName() {
        return pipeline.qualifiedName();
    }

    public boolean isPartitioned() {
        return pipeline.pipeline().partitions() != null;
    }

    public Optional<Partitioning> partitioning() {
        return Optional.ofNullable(pipeline.pipeline().partitions());
    }

    /** The request the form describes. */
    public RunRequest request() {
        Map<String, String> values = new LinkedHashMap<>();
        for (ParameterField field : parameters) {
            if (!field.valueProperty().get().isEmpty()) {
                values.put(field.name(), field.valueProperty().get());
            }
        }
        return new RunRequest(pipeline.qualifiedName(), Optional.ofNullable(target.get()), values, text(from), text(to),
                Optional.empty());
    }

    private static Optional<String> text(StringProperty property) {
        String value = property.get();
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** Shows the plan without running anything. */
    public void dryRun() {
        RunRequest request;
        try {
            request = request();
        } catch (RuntimeException e) {
            error.set(e.getMessage());
            return;
        }
        busy.set(true);
        error.set("");
        status.set("Planning ...");
        session.prepare(request, prepared -> {
            busy.set(false);
            plan.set(prepared.describe());
            status.set("Dry run: nothing ran");
        }, failed -> {
            busy.set(false);
            status.set("");
            error.set(describe(failed));
        });
    }

    /** Starts the run; its view opens through {@code onStarted}. */
    public void run() {
        if (!valid.get()) {
            return;
        }
        busy.set(true);
        error.set("");
        status.set("Starting (taking the lock) ...");
        session.launch(request(), model -> {
            busy.set(false);
            status.set("Started " + model.runIdProperty().get());
            onStarted.accept(model);
        }, failed -> {
            busy.set(false);
            status.set("");
            error.set(describe(failed));
        });
    }

    static String describe(Throwable failure) {
        if (failure instanceof ConvergenceException convergence) {
            return convergence.describe();
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    public ObservableList<String> targets() {
        return targets;
    }

    public StringProperty targetProperty() {
        return target;
    }

    /** Declared parameters, sorted by name. */
    public List<ParameterField> parameters() {
        return List.copyOf(parameters);
    }

    /** First partition (empty: the default range around run_date). */
    public StringProperty fromProperty() {
        return from;
    }

    /** Last partition, inclusive. */
    public StringProperty toProperty() {
        return to;
    }

    /** The dry run's text. */
    public ReadOnlyStringProperty planProperty() {
        return plan.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** True when every parameter is valid and nothing is in progress. */
    public BooleanBinding validProperty() {
        return valid;
    }

    /** Today on the launcher's clock, for "today" defaults in date pickers. */
    public ParameterResolver resolver() {
        return resolver;
    }
}
