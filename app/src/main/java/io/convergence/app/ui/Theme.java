package io.convergence.app.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import javafx.application.Application;
import javafx.scene.Parent;

/**
 * Light and dark themes: AtlantaFX's Primer user-agent stylesheets, plus a {@code theme-dark} class on the root so
 * our own stylesheet (and the canvases) can pick matching colours.
 */
public enum Theme {
    LIGHT,
    DARK;

    public static Optional<Theme> parse(String text) {
        return text == null ? Optional.empty()
                : Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(text.strip())).findFirst();
    }

    /** Applies the theme to the whole application and marks {@code root}. Call on the FX thread. */
    public void apply(Parent root) {
        Application.setUserAgentStylesheet(this == DARK ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
        root.getStyleClass().removeAll("theme-light", "theme-dark");
        root.getStyleClass().add("theme-" + name().toLowerCase(Locale.ROOT));
    }
}
