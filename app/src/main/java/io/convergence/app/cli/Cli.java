package io.convergence.app.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** Builds and runs the {@code convergence} command line; the only place that touches the process's streams. */
public final class Cli {
    private Cli() {
    }

    /** The command line with the given context and output streams, so tests capture what it prints. */
    public static CommandLine commandLine(CliContext context, PrintWriter out, PrintWriter err) {
        ErrorReporter reporter = new ErrorReporter();
        CommandLine commandLine = new CommandLine(new ConvergenceCommand(context));
        // After the subcommands exist, so these settings reach all of them.
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(reporter);
        commandLine.setExecutionExceptionHandler(reporter);
        commandLine.setExecutionStrategy(Cli::executeLast);
        return commandLine;
    }

    /** Runs one command line and returns its exit code; see {@link ExitCodes}. */
    public static int execute(CliContext context, PrintWriter out, PrintWriter err, String... args) {
        int exitCode = commandLine(context, out, err).execute(args);
        out.flush();
        err.flush();
        return exitCode;
    }

    /** Runs with the process's current folder, environment and standard streams. */
    public static int run(String[] args, GuiLauncher gui) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return execute(CliContext.system(gui), out, err, args);
    }

    private static int executeLast(ParseResult parseResult) {
        CommandLine last = parseResult.asCommandLineList().get(parseResult.asCommandLineList().size() - 1);
        CommandSpec spec = last.getCommandSpec();
        Logging.configure(CommonOptions.verbose(spec));
        return new CommandLine.RunLast().execute(parseResult);
    }
}
