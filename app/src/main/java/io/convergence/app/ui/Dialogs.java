package io.convergence.app.ui;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

/** Asks the user to confirm; the app shows a real dialog, and its OK button has the id {@code confirmOkButton}. */
@FunctionalInterface
public interface Dialogs {
    boolean confirm(Window owner, String title, String text);

    /** A modal confirmation alert with OK and Cancel; Cancel is the default, so Enter never destroys by accident. */
    static Dialogs alerts() {
        return (owner, title, text) -> {
            Alert alert = new Alert(Alert.AlertType.CONFIRMATION, text, ButtonType.OK, ButtonType.CANCEL);
            alert.setTitle(title);
            alert.setHeaderText(title);
            if (owner != null) {
                alert.initOwner(owner);
            }
            alert.getDialogPane().setId("confirmDialog");
            alert.getDialogPane().lookupButton(ButtonType.OK).setId("confirmOkButton");
            alert.getDialogPane().lookupButton(ButtonType.CANCEL).setId("confirmCancelButton");
            ((javafx.scene.control.Button) alert.getDialogPane().lookupButton(ButtonType.OK)).setDefaultButton(false);
            ((javafx.scene.control.Button) alert.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
            return alert.showAndWait().filter(ButtonType.OK::equals).isPresent();
        };
    }
}
