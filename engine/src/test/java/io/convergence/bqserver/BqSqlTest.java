package io.convergence.bqserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The server's BigQuery-to-DuckDB statement rewriting. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BqSqlTest {
    private Catalog catalog;
    private BqSql.Context ctx;

    @BeforeAll
    void open() {
        catalog = Catalog.open((Path) null, Clock.systemUTC(), "US");
        ctx = new BqSql.Context(Set.of("my-project"), "my-project", null, catalog);
    }

    @AfterAll
    void close() {
        catalog.close();
    }

    private BqSql.Statement prepare(String sql) {
        return BqSql.prepare(sql, ctx, QueryParams.none());
    }

    @Test
    void splitsScriptsOnlyAtTopLevelSemicolons() {
        assertThat(BqSql.split("SELECT ';'; -- a; comment\nSELECT 2;;  ")).containsExactly("SELECT ';'", "-- a; comment\nSELECT 2");
    }

    @Test
    void projectQualifiedPathsBecomeSchemaQualified() {
        assertThat(prepare("SELECT a FROM `my-project.ds.t` JOIN `my-project`.ds.u USING (a)").duckSql)
                .isEqualTo("SELECT a FROM \"ds\".\"t\" JOIN \"ds\".\"u\" USING (a)");
        // three parts that do not start with the project are struct field accesses
        assertThat(prepare("SELECT t.s.f FROM ds.t").duckSql).isEqualTo("SELECT t.s.f FROM ds.t");
    }

    @Test
    void dmlGetsTheKeywordsDuckDbNeedsAndATarget() {
        BqSql.Statement insert = prepare("INSERT `my-project.ds.t` (a) VALUES (1)");
        assertThat(insert.duckSql).isEqualTo("INSERT INTO \"ds\".\"t\" (a) VALUES (1)");
        assertThat(insert.target).isEqualTo(new BqSql.TableRef("ds", "t"));
        assertThat(prepare("DELETE ds.t WHERE true").duckSql).isEqualTo("DELETE FROM ds.t WHERE true");
        assertThat(prepare("MERGE ds.t T USING ds.s S ON T.a = S.a WHEN NOT MATCHED BY TARGET THEN INSERT ROW").duckSql)
                .isEqualTo("MERGE INTO ds.t T USING ds.s S ON T.a = S.a WHEN NOT MATCHED THEN INSERT *");
    }

    @Test
    void createTableLiftsPartitioningClusteringAndOptions() {
        BqSql.Statement st = prepare("CREATE TABLE IF NOT EXISTS `my-project.ds.t` (d DATE NOT NULL, s STRING OPTIONS(description=\"x\"),"
                + " a ARRAY<INT64>) PARTITION BY d CLUSTER BY s OPTIONS(description='table')");
        assertThat(st.duckSql).isEqualTo("CREATE TABLE IF NOT EXISTS \"ds\".\"t\" (\"d\" DATE NOT NULL, \"s\" VARCHAR, \"a\" BIGINT[])");
        assertThat(st.extras.toString()).contains("\"timePartitioning\":{\"type\":\"DAY\",\"field\":\"d\"}",
                "\"clustering\":{\"fields\":[\"s\"]}", "\"description\":\"table\"", "\"description\":\"x\"");
    }

    @Test
    void parametersBecomeTypedPlaceholders() throws Exception {
        var params = QueryParams.of(new ObjectMapper().readTree("[{\"name\":\"d\",\"parameterType\":{\"type\":\"DATE\"},"
                + "\"parameterValue\":{\"value\":\"2024-01-01' OR 1=1 --\"}}]"));
        BqSql.Statement st = BqSql.prepare("SELECT * FROM ds.t WHERE d = @d OR e = @D", ctx, params);
        assertThat(st.duckSql).isEqualTo("SELECT * FROM ds.t WHERE d = CAST(CAST(? AS VARCHAR) AS DATE) OR e = CAST(CAST(? AS VARCHAR) AS DATE)");
        assertThat(st.binds).extracting(QueryParams.Bind::value).containsExactly("2024-01-01' OR 1=1 --", "2024-01-01' OR 1=1 --");
        assertThatThrownBy(() -> BqSql.prepare("SELECT @missing", ctx, params))
                .isInstanceOfSatisfying(BqException.class, e -> assertThat(e.reason()).isEqualTo("invalidQuery"));
    }

    @Test
    void assertKeepsItsDescription() {
        BqSql.Statement st = prepare("ASSERT (SELECT COUNT(*) FROM ds.t) > 0 AS 'table is empty'");
        assertThat(st.kind).isEqualTo(BqSql.Kind.ASSERT);
        assertThat(st.duckSql).isEqualTo("SELECT ((SELECT COUNT(*) FROM ds.t) > 0)");
        assertThat(st.assertMessage).isEqualTo("table is empty");
    }

    @Test
    void unsupportedStatementsSaySo() {
        assertThatThrownBy(() -> prepare("DECLARE x INT64"))
                .isInstanceOfSatisfying(BqException.class, e -> assertThat(e.getMessage()).contains("Not supported by the BigQuery test server"));
        assertThat(List.of(BqSql.Kind.values())).contains(BqSql.Kind.BEGIN, BqSql.Kind.COMMIT);
    }
}
