package io.convergence.app.cli;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code --verbose} to logging: logback.xml logs WARN and above to stderr, verbose adds INFO. */
final class Logging {
    private Logging() {
    }

    static void configure(boolean verbose) {
        if (!verbose) {
            return;
        }
        Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        // Only ever raise verbosity: CONVERGENCE_LOG_LEVEL=DEBUG must survive --verbose.
        if (root instanceof ch.qos.logback.classic.Logger logback && !root.isInfoEnabled()) {
            logback.setLevel(Level.INFO);
        }
    }
}
