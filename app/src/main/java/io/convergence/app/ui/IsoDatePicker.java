package io.convergence.app.ui;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import javafx.application.Platform;
import javafx.scene.control.DatePicker;
import javafx.util.StringConverter;

/**
 * Date pickers that show and read ISO dates ({@code 2024-06-10}), as partitions, parameters, the CLI and
 * run history write them, whatever the desktop's locale (which would show {@code 6/10/2024} in the US).
 */
public final class IsoDatePicker {
    private IsoDatePicker() {
    }

    public static DatePicker create(LocalDate initial) {
        DatePicker picker = new DatePicker(initial);
        picker.setConverter(new StringConverter<>() {
            @Override
            public String toString(LocalDate date) {
                return date == null ? "" : date.toString();
            }

            @Override
            public LocalDate fromString(String text) {
                if (text == null || text.isBlank()) {
                    return null;
                }
                try {
                    return LocalDate.parse(text.strip());
                } catch (DateTimeParseException e) {
                    // not a date: the field keeps the date it had, and shows it again
                    LocalDate kept = picker.getValue();
                    Platform.runLater(() -> picker.getEditor().setText(toString(kept)));
                    return kept;
                }
            }
        });
        return picker;
    }

    public static DatePicker create() {
        return create(null);
    }
}
