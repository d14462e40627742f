package io.convergence.app.health;

import static java.util.Objects.requireNonNull;

import io.convergence.app.health.HealthViewModel.TargetRow;
import io.convergence.engine.health.HealthCheck;
import io.convergence.engine.health.HealthStatus;
import java.util.Locale;
import javafx.collections.MapChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Connections (targets with a Check button each) and the doctor's checks with their fixes. */
public final class HealthView {
    private final HealthViewModel model;
    private final VBox root = new VBox(8);

    public HealthView(HealthViewModel model) {
        this.model = requireNonNull(model, "model is null");
        root.setId("healthView");
        root.setPadding(new Insets(10));
        Label connections = new Label("Connections (targets in workspace.yml)");
        connections.getStyleClass().add("pane-title");
        ListView<TargetRow> targets = new ListView<>(model.targets());
        targets.setId("targetsList");
        targets.setPrefHeight(120);
        targets.setCellFactory(view -> new ListCell<>() {
            @Override
            protected void updateItem(TargetRow row, boolean empty) {
                super.updateItem(row, empty);
                if (empty || row == null) {
                    setGraphic(null);
                    setText(null);
                    return;
                }
                Label name = new Label(row.name() + (row.isDefault() ? " (default)" : ""));
                name.getStyleClass().add("target-name");
                name.setMinWidth(140);
                Label detail = new Label(row.kind() + ": " + row.detail());
                detail.setMinWidth(320);
                Button check = new Button("Check");
                check.setId("check-" + row.name());
                check.setOnAction(event -> model.checkTarget(row.name()));
                Label result = new Label();
                result.setId("targetResult-" + row.name());
                HealthCheck outcome = model.targetResults().get(row.name());
                if (outcome != null) {
                    result.setText(outcome.status() + ": " + outcome.detail() + outcome.fix().map(f -> "  (fix: " + f + ")").orElse(""));
                    result.getStyleClass().add("health-" + outcome.status().name().toLowerCase(Locale.ROOT));
                }
                HBox line = new HBox(10, name, detail, check, result);
                line.setAlignment(Pos.CENTER_LEFT);
                setText(null);
                setGraphic(line);
            }
        });
        model.targetResults().addListener((MapChangeListener<String, HealthCheck>) change -> targets.refresh());

        Label doctorTitle = new Label("Doctor");
        doctorTitle.getStyleClass().add("pane-title");
        Button run = new Button("Run checks");
        run.setId("runDoctorButton");
        run.disableProperty().bind(model.busyProperty());
        run.setOnAction(event -> model.runDoctor());
        Label summary = new Label();
        summary.setId("doctorSummary");
        summary.textProperty().bind(model.summaryProperty());
        HBox bar = new HBox(10, doctorTitle, run, summary);
        bar.setAlignment(Pos.CENTER_LEFT);
        ListView<HealthCheck> checks = new ListView<>(model.checks());
        checks.setId("doctorList");
        checks.setPlaceholder(new Label("Press 'Run checks'"));
        checks.setCellFactory(view -> new ListCell<>() {
            @Override
            protected void updateItem(HealthCheck check, boolean empty) {
                super.updateItem(check, empty);
                getStyleClass().removeAll("health-pass", "health-warn", "health-fail");
                if (empty || check == null) {
                    setText(null);
                    return;
                }
                setText(mark(check.status()) + "  " + check.title() + ": " + check.detail()
                        + check.fix().map(f -> "\n        fix: " + f).orElse(""));
                getStyleClass().add("health-" + check.status().name().toLowerCase(Locale.ROOT));
            }
        });
        VBox.setVgrow(checks, Priority.ALWAYS);
        root.getChildren().addAll(connections, targets, bar, checks);
    }

    private static String mark(HealthStatus status) {
        return switch (status) {
            case PASS -> "OK  ";
            case WARN -> "WARN";
            case FAIL -> "FAIL";
        };
    }

    public Parent root() {
        return root;
    }
}
