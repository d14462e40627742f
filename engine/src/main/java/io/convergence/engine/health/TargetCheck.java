package io.convergence.engine.health;

import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.exec.CancellationToken;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Target;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.QueryResult;
import io.convergence.engine.warehouse.bigquery.BigQueryDoctor;
import io.convergence.engine.warehouse.duckdb.DuckDbWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Checks that a target opens and answers a trivial query: the doctor's warehouse check and the app's
 * Connections "Check" button. Opens and closes its own connection.
 */
public final class TargetCheck {
    private TargetCheck() {
    }

    /** Checks target {@code name} of the workspace at {@code root}. */
    public static HealthCheck check(Path root, String name, Target target, Clock clock) {
        String id = "target." + name;
        String title = "Target '" + name + "' answers";
        if (target instanceof DuckDbTarget duck) {
            Path file = root.resolve(duck.path()).toAbsolutePath().normalize();
            Instant start = clock.instant();
            try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(root, duck)) {
                QueryResult result = warehouse.query(BoundSql.of("select 1 as ok"), 1, new CancellationToken());
                long millis = Duration.between(start, clock.instant()).toMillis();
                if (result.rows().size() != 1) {
                    return HealthCheck.fail(id, title, "DuckDB " + file + " answered 'select 1' with "
                            + result.rows().size() + " rows", "the file may be damaged; move it away and run again");
                }
                return HealthCheck.pass(id, title, "DuckDB " + file + " opened and answered 'select 1' in " + millis + " ms");
            } catch (ConvergenceException | IllegalStateException e) {
                return HealthCheck.fail(id, title, "DuckDB " + file + " did not open: " + message(e),
                        "DuckDB allows one writing process per file: stop other Convergence runs or DuckDB clients"
                                + " using it, check the folder is writable, or set targets." + name + ".path");
            }
        }
        if (target instanceof BigQueryTarget bigQuery) {
            // credentials and a query job; the doctor adds the metadata dataset, lock and fence tables
            Instant start = clock.instant();
            List<BigQueryDoctor.Check> checks = BigQueryDoctor.check(root, name, bigQuery, List.of());
            Optional<BigQueryDoctor.Check> failed = checks.stream().filter(c -> !c.ok()).findFirst();
            if (failed.isPresent()) {
                return HealthCheck.fail(id, title, "BigQuery (project " + bigQuery.project() + ") " + failed.get().name() + ": "
                        + failed.get().message(), failed.get().fix().isBlank() ? "see the message" : failed.get().fix());
            }
            long millis = Duration.between(start, clock.instant()).toMillis();
            return HealthCheck.pass(id, title, "BigQuery (project " + bigQuery.project() + ") credentials resolve and a query job"
                    + " answered in " + millis + " ms");
        }
        return HealthCheck.fail(id, title, "unknown target kind " + target.getClass().getSimpleName(),
                "use type: duckdb or type: bigquery in workspace.yml");
    }

    private static String message(Exception e) {
        if (e instanceof ConvergenceException convergence) {
            return convergence.describe();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
