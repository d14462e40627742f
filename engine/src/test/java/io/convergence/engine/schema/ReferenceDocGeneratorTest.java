package io.convergence.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReferenceDocGeneratorTest {
    private final String reference = new ReferenceDocGenerator(SchemaTestSupport.generator()).generate();

    @Test
    void everyDefinitionHasOneSectionAndEveryKeyARow() {
        for (SchemaKind kind : SchemaKind.values()) {
            JsonNode schema = SchemaTestSupport.generator().generateTree(kind);
            assertThat(reference).contains("## <a id=\"" + kind.id() + "-file\"></a>" + kind.title());
            schema.path("$defs").fields().forEachRemaining(def -> {
                assertThat(count(reference, "### <a id=\"" + def.getKey().toLowerCase() + "\"></a>" + def.getKey() + "\n"))
                        .as(def.getKey()).isEqualTo(1);
                String section = section(def.getKey());
                def.getValue().path("properties").fieldNames().forEachRemaining(key -> {
                    if (!def.getValue().has("allOf")) {
                        assertThat(section).as(def.getKey()).contains("\n| `" + key + "` | ");
                    }
                });
            });
        }
    }

    @Test
    void rowsShowTypeRequiredDefaultAllowedValuesAndDescription() {
        assertThat(reference).contains(
                "| `max_parallel` | integer |  | `4` | at least 1 | Most steps and partitions running at once. |",
                "| `steps` | array of [Step](#step) | yes |  |  | The steps of the DAG; order does not matter, depends_on does. |",
                "| `write` | string |  | `replace` | `append`, `replace`, `replace_partitions` | How the target is written. |",
                "| `sample` | integer or `full` |  | `full` | integer: at least 1 | Rows examined: a row count, or 'full'. row_count always counts the whole table or partition and freshness looks at the whole table, since a sample would make them meaningless. |",
                "| `parameters` | map of name to [Parameter](#parameter) |  |  | names: matches `^[a-z][a-z0-9_]{0,62}$` |",
                "| `values` | array of (string, number or boolean) | yes |");
        // A pipe inside a table cell must be escaped, even in code, or the row splits.
        assertThat(reference).contains("| `lease` | string |  | `2m` | matches `^[0-9]+(ms\\|s\\|m\\|h\\|d)$` |");
    }

    @Test
    void polymorphicTypesListTheirKinds() {
        assertThat(section("Step")).contains("| `ingest` | [IngestStep](#ingeststep) |", "| `quality` | [QualityStep](#qualitystep) |");
        assertThat(section("Check")).contains("| `freshness` | [FreshnessCheck](#freshnesscheck) |");
    }

    @Test
    void everyLinkPointsAtAnAnchor() {
        Set<String> anchors = new HashSet<>();
        Matcher a = Pattern.compile("<a id=\"([^\"]+)\"></a>").matcher(reference);
        while (a.find()) {
            anchors.add(a.group(1));
        }
        List<String> broken = new ArrayList<>();
        Matcher link = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(reference);
        while (link.find()) {
            if (!anchors.contains(link.group(1))) {
                broken.add(link.group(1));
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void generationIsDeterministic() {
        assertThat(new ReferenceDocGenerator(new SchemaGenerator()).generate()).isEqualTo(reference);
        assertThat(reference).endsWith("|\n").doesNotContain("\r").doesNotContain("\n\n\n");
    }

    private String section(String definition) {
        int start = reference.indexOf("\"></a>" + definition + "\n");
        int end = reference.indexOf("\n#", start);
        return reference.substring(start, end < 0 ? reference.length() : end);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
