package io.convergence.app.cli;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.error.ErrorType;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one clear message and an exit code: usage errors exit 2, a
 * {@link ConvergenceException} exits by its type (USER 2, EXTERNAL 5, INTERNAL 70; a held lock 3, a
 * cancelled run 4), anything else is a bug (70). Stack traces only with {@code --verbose}.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

    /** The exit code for an engine error; the run command uses it for run outcomes as well. */
    static int exitCode(ErrorCode code) {
        if (code == ErrorCode.LOCK_HELD) {
            return ExitCodes.LOCK_HELD;
        }
        if (code == ErrorCode.RUN_CANCELLED) {
            return ExitCodes.INTERRUPTED;
        }
        return switch (code.type()) {
            case USER -> ExitCodes.USAGE;
            case EXTERNAL -> ExitCodes.EXTERNAL;
            case INTERNAL -> ExitCodes.INTERNAL;
        };
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        boolean verbose = CommonOptions.verbose(command.getCommandSpec());
        ConvergenceException known = find(ex);
        int exitCode;
        if (known != null && known.type() != ErrorType.INTERNAL) {
            exitCode = exitCode(known.code());
            err.println("error " + known.describe());
            LOG.debug("command failed", ex);
        } else {
            exitCode = ExitCodes.INTERNAL;
            String message = known != null ? known.describe() : ErrorCode.INTERNAL_ERROR.display() + ": " + summary(ex);
            err.println("internal error " + message);
            err.println("This is a bug in Convergence. Please report it with the output of 'convergence --version'"
                    + " and of this command run with --verbose.");
            // debug only: logback prints WARN+ to stderr, and a trace there needs --verbose
            LOG.debug("internal error", ex);
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode;
    }

    /** The first ConvergenceException in the cause chain: libraries may wrap ours. */
    private static ConvergenceException find(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConvergenceException convergence) {
                return convergence;
            }
        }
        return null;
    }

    private static String summary(Throwable ex) {
        return ex.getMessage() == null ? ex.getClass().getName() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }
}
