package io.convergence.app.locks;

import static java.util.Objects.requireNonNull;

import io.convergence.app.locks.LocksViewModel.LockRow;
import io.convergence.app.run.RunViewModel;
import io.convergence.app.ui.Dialogs;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Function;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/** The locks screen: the table refreshes every few seconds; force release needs a reason and a confirmation. */
public final class LocksView {
    /** How often the table re-reads the store. */
    public static final Duration REFRESH = Duration.seconds(3);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final LocksViewModel model;
    private final Dialogs dialogs;
    private final VBox root = new VBox(8);
    private final Timeline timer;

    public LocksView(LocksViewModel model, Dialogs dialogs) {
        this.model = requireNonNull(model, "model is null");
        this.dialogs = requireNonNull(dialogs, "dialogs is null");
        root.setId("locksView");
        root.setPadding(new Insets(10));
        Label title = new Label("Locks held in this workspace's state store");
        title.getStyleClass().add("pane-title");
        TableView<LockRow> table = new TableView<>(model.locks());
        table.setId("locksTable");
        table.setPlaceholder(new Label("No locks held"));
        table.getColumns().add(column("Tenant", 90, LockRow::tenant));
        table.getColumns().add(column("Pipeline", 130, LockRow::pipeline));
        table.getColumns().add(column("Holder", 230, r -> r.user() + "@" + r.host() + " pid " + r.pid()));
        table.getColumns().add(column("Run", 190, LockRow::runId));
        table.getColumns().add(column("Epoch", 55, r -> Long.toString(r.epoch())));
        table.getColumns().add(column("Age", 80, r -> RunViewModel.formatDuration(r.age())));
        table.getColumns().add(column("Lease used", 85, r -> String.format(Locale.ROOT, "%.0f%%", r.leaseUsedPercent())));
        table.getColumns().add(column("Expires at", 150, r -> TIME.format(r.expiresAt()) + (r.expired() ? " (expired)" : "")));
        table.setRowFactory(view -> new TableRow<>() {
            @Override
            protected void updateItem(LockRow row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().removeAll("lease-over-half", "lease-expired");
                if (!empty && row != null && row.overHalfLease()) {
                    getStyleClass().add(row.expired() ? "lease-expired" : "lease-over-half");
                }
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> model.selectedProperty().set(b));
        model.selectedProperty().addListener((o, a, b) -> {
            if (b != table.getSelectionModel().getSelectedItem()) {
                table.getSelectionModel().select(b);
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);

        TextField reason = new TextField();
        reason.setId("releaseReason");
        reason.setPromptText("Reason (required; kept in the audit and in the run's history)");
        reason.textProperty().bindBidirectional(model.reasonProperty());
        HBox.setHgrow(reason, Priority.ALWAYS);
        Button release = new Button("Force release...");
        release.setId("forceReleaseButton");
        release.disableProperty().bind(model.canReleaseProperty().not());
        release.setOnAction(event -> {
            if (dialogs.confirm(root.getScene() == null ? null : root.getScene().getWindow(), "Force release a lock",
                    model.confirmationText())) {
                model.forceRelease();
            }
        });
        Button refresh = new Button("Refresh");
        refresh.setId("refreshLocksButton");
        refresh.setOnAction(event -> model.refresh());
        HBox actions = new HBox(8, reason, release, refresh);
        actions.setAlignment(Pos.CENTER_LEFT);
        Label message = new Label();
        message.setId("locksMessage");
        message.setWrapText(true);
        message.textProperty().bind(model.messageProperty());
        root.getChildren().addAll(title, table, actions, message);

        timer = new Timeline(new KeyFrame(REFRESH, event -> model.refresh()));
        timer.setCycleCount(Timeline.INDEFINITE);
        timer.play();
        model.refresh();
    }

    public Parent root() {
        return root;
    }

    /** Stops the refresh timer; call when the screen closes. */
    public void dispose() {
        timer.stop();
    }

    static <R> TableColumn<R, String> column(String title, double width, Function<R, String> value) {
        TableColumn<R, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return column;
    }
}
