package io.convergence.app.cli;

import io.convergence.engine.schema.SchemaGenerator;
import io.convergence.engine.schema.SchemaKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code convergence schema}: prints the JSON Schema of a YAML file kind, generated from the model. */
@Command(name = "schema", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print the JSON Schema of a YAML file kind, generated from the model classes.",
                "The same schemas are committed in docs/schema/; editors use them through a line such as",
                "  # yaml-language-server: $schema=../../../../../docs/schema/pipeline.schema.json"})
final class SchemaCommand extends BaseCommand {
    @Option(names = "--kind", paramLabel = "pipeline|tenant|workspace|checks", defaultValue = "pipeline",
            description = "Which file's schema. Default: ${DEFAULT-VALUE}.")
    SchemaKind kind;

    @Override
    public Integer call() {
        out().print(new SchemaGenerator().generate(kind));
        out().flush();
        return ExitCodes.OK;
    }
}
