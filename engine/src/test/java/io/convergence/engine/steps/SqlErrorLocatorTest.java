package io.convergence.engine.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.convergence.engine.steps.SqlErrorLocator.Location;
import org.junit.jupiter.api.Test;

class SqlErrorLocatorTest {
    private static String duckDb(String error, int line, String context, int caret) {
        String prefix = "LINE " + line + ": ";
        return error + "\n\n" + prefix + context + "\n" + " ".repeat(prefix.length() + caret) + "^";
    }

    @Test
    void findsTheSameOccurrenceOnTheSameLineThroughRefsAndWrappers() {
        String original = "SELECT a, b\nFROM {{ ref('raw.t') }} WHERE b > 1 AND b < @max";
        String compiled = "SELECT a, b\nFROM \"acme_raw\".\"t\" WHERE b > 1 AND b < ?";
        // the caret sits on the blank before the second "b": the token after it is meant
        String message = duckDb("Binder Error: something about b", 2, "FROM \"acme_raw\".\"t\" WHERE b > 1 AND b < ?", 35);
        assertThat(SqlErrorLocator.locate(message, compiled, original)).contains(new Location(2, 41));
        // line 1 carries Convergence's wrapper in front of the query, and DuckDB shortens long lines with "..."
        String wrapped = duckDb("Binder Error: Referenced column \"b\" not found", 1,
                "... \"acme_mart\".\"_cvg_stage_x_0123\" AS SELECT a, b", 49);
        assertThat(SqlErrorLocator.locate(wrapped, compiled, original)).contains(new Location(1, 11));
    }

    @Test
    void aTokenTheFileDoesNotHoldGivesTheLineOnly() {
        String original = "SELECT *\nFROM {{ ref('raw.t') }}";
        String compiled = "SELECT *\nFROM \"acme_raw\".\"t\"";
        String message = duckDb("Catalog Error: Table with name t does not exist!", 2, "FROM \"acme_raw\".\"t\"", 5);
        assertThat(SqlErrorLocator.locate(message, compiled, original)).contains(new Location(2, 0));
        assertThat(SqlErrorLocator.describe("sql/q.sql", message, compiled, original))
                .isEqualTo("sql/q.sql:2: Catalog Error: Table with name t does not exist!\n  2 | FROM {{ ref('raw.t') }}");
    }

    @Test
    void whenCompilingChangedTheLinesTheOccurrenceIsCountedOverTheWholeText() {
        // an escaped line break in a BigQuery string becomes a real one in DuckDB's
        String original = "SELECT 'a\\nb' AS s, nope\nFROM t";
        String compiled = "SELECT 'a\nb' AS s, nope\nFROM t";
        String message = duckDb("Binder Error: Referenced column \"nope\" not found", 2, "b' AS s, nope", 9);
        assertThat(SqlErrorLocator.locate(message, compiled, original)).contains(new Location(1, 21));
    }

    @Test
    void aWarehouseThatNumberedTheLinesOfItsOwnRewriteStillPointsAtTheToken() {
        // the BigQuery test server drops the comment line before running the query, so its LINE 2 is the file's line 3
        String original = "-- page views\nSELECT event_type,\n       nonexistent_col\nFROM {{ ref('raw.events') }}";
        String compiled = "-- page views\nSELECT event_type,\n       nonexistent_col\nFROM `demo`.`acme_raw`.`events`";
        String message = duckDb("Binder Error: Referenced column \"nonexistent_col\" not found", 2, "       nonexistent_col", 7);
        assertThat(SqlErrorLocator.locate(message, compiled, original)).contains(new Location(3, 8));
    }

    @Test
    void bigQueryPositionsMapToTheFileBelowTheWrappedFirstLine() {
        String original = "SELECT a,\n  a + nope AS b\nFROM {{ ref('raw.t') }}";
        String compiled = "SELECT a,\n  a + nope AS b\nFROM `p`.`acme_raw`.`t`";
        assertThat(SqlErrorLocator.locate("Unrecognized name: nope at [2:7]", compiled, original)).contains(new Location(2, 7));
        // line 1 also holds CREATE TABLE ... AS, so its column says nothing about the file
        assertThat(SqlErrorLocator.locate("Unrecognized name: x at [1:60]", compiled, original)).contains(new Location(1, 0));
        assertThat(SqlErrorLocator.describe("sql/q.sql", "Unrecognized name: nope at [2:7]", compiled, original))
                .isEqualTo("sql/q.sql:2:7: Unrecognized name: nope at [2:7]\n  2 |   a + nope AS b\n    |       ^");
    }

    @Test
    void messagesWithoutAnExcerptKeepTheirTextAndNameTheFile() {
        String message = "Conversion Error: Could not convert string 'x' to INT32";
        assertThat(SqlErrorLocator.locate(message, "SELECT 1", "SELECT 1")).isEmpty();
        assertThat(SqlErrorLocator.describe("sql/q.sql", message, "SELECT 1", "SELECT 1")).isEqualTo("sql/q.sql: " + message);
    }

    @Test
    void theCaretKeepsTheLinesTabs() {
        String original = "SELECT\n\tnope";
        String message = duckDb("Binder Error: Referenced column \"nope\" not found", 2, "\tnope", 1);
        assertThat(SqlErrorLocator.describe("q.sql", message, original, original))
                .isEqualTo("q.sql:2:2: Binder Error: Referenced column \"nope\" not found\n  2 | \tnope\n    | \t^");
    }
}
