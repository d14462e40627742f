package io.convergence.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code convergence schema}: prints the JSON Schema of the YAML files (not wired yet). */
@Command(name = "schema", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Print the JSON Schema of a YAML file kind, generated from the model (not available yet).")
final class SchemaCommand extends BaseCommand {
    enum Kind { PIPELINE, TENANT, WORKSPACE, CHECKS }

    @Option(names = "--kind", paramLabel = "pipeline|tenant|workspace|checks", defaultValue = "pipeline",
            description = "Which file's schema. Default: ${DEFAULT-VALUE}.")
    Kind kind;

    @Override
    public Integer call() {
        throw NotAvailable.of("schema");
    }
}
