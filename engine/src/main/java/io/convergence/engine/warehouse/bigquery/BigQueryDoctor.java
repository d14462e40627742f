package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Dataset;
import com.google.cloud.bigquery.Table;
import io.convergence.engine.config.LoadResult;
import io.convergence.engine.config.LoadedTenant;
import io.convergence.engine.config.LoadedWorkspace;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.validation.Problem;
import io.convergence.engine.validation.Severity;
import io.convergence.engine.warehouse.BoundSql;
import io.convergence.engine.warehouse.TableId;
import io.convergence.engine.warehouse.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Health checks of a BigQuery target for {@code convergence doctor --target T}: the workspace loads, the credentials
 * resolve (never printed), the API answers, and each tenant's metadata dataset, lock table and fence table exist
 * (created idempotently, as a first run would) and can be read. Each check is a {@link Check}; the target is
 * healthy when all pass.
 */
public final class BigQueryDoctor {
    /** One check: its name, whether it passed, what was found, and how to fix it when it failed. */
    public record Check(String name, boolean ok, String message, String fix) {
        public Check {
            requireNonNull(name, "name is null");
            requireNonNull(message, "message is null");
            requireNonNull(fix, "fix is null");
        }

        static Check pass(String name, String message) {
            return new Check(name, true, message, "");
        }

        static Check fail(String name, String message, String fix) {
            return new Check(name, false, message, fix);
        }
    }

    private BigQueryDoctor() {
    }

    /** True when every check passed. */
    public static boolean healthy(List<Check> checks) {
        return checks.stream().allMatch(Check::ok);
    }

    /**
     * Runs the checks of target {@code targetName} of the loaded workspace. Later checks are skipped (and fail)
     * when an earlier one they depend on failed, so the first failure is the one to fix.
     */
    public static List<Check> check(LoadResult loaded, String targetName, BigQueryTarget target) {
        requireNonNull(loaded, "loaded is null");
        requireNonNull(target, "target is null");
        List<Check> checks = new ArrayList<>();
        long errors = loaded.problems().stream().filter(p -> p.severity() == Severity.ERROR).count();
        if (loaded.workspace().isEmpty()) {
            checks.add(Check.fail("config", "the workspace could not be loaded (" + errors + " errors)", "run 'convergence validate'"));
            return checks;
        }
        LoadedWorkspace workspace = loaded.workspace().get();
        if (errors > 0) {
            Problem first = loaded.problems().stream().filter(p -> p.severity() == Severity.ERROR).findFirst().orElseThrow();
            checks.add(Check.fail("config", errors + " configuration errors, first: " + first.message(), "run 'convergence validate' and fix them"));
        } else {
            checks.add(Check.pass("config", "workspace loaded: " + workspace.tenants().size() + " tenants, "
                    + workspace.pipelines().size() + " pipelines"));
        }
        checks.addAll(check(workspace.root(), targetName, target, workspace.tenants().stream().map(LoadedTenant::config).toList()));
        return checks;
    }

    /** The target checks without the workspace loading check. */
    public static List<Check> check(Path workspaceRoot, String targetName, BigQueryTarget target, List<TenantConfig> tenants) {
        List<Check> checks = new ArrayList<>();
        String where = "target " + targetName + " (project " + target.project()
                + (target.endpoint() == null || target.endpoint().isBlank() ? "" : ", endpoint " + target.endpoint()) + ")";
        try {
            BigQueryConnection.credentials(target.credentials(), target.endpoint() != null && !target.endpoint().isBlank(), workspaceRoot);
            checks.add(Check.pass("credentials", "credentials '" + describeCredentials(target.credentials()) + "' resolve"));
        } catch (ConvergenceException e) {
            checks.add(Check.fail("credentials", e.getMessage(), "set credentials to adc (after 'gcloud auth application-default"
                    + " login'), a service-account key file path, or none with a local endpoint"));
            checks.add(Check.fail("connectivity", "skipped: no credentials", ""));
            return checks;
        }
        String location = tenants.isEmpty() ? target.location() : tenants.get(0).location();
        try (BigQueryWarehouse warehouse = BigQueryWarehouse.open(BigQueryConnection.open(target, workspaceRoot, location),
                new Backoff(java.time.Duration.ofMillis(200), 2.0, java.time.Duration.ofSeconds(2), 3))) {
            try {
                warehouse.jobs().call(() -> warehouse.connection().bigquery().listDatasets(BigQuery.DatasetListOption.pageSize(1)),
                        "listing datasets");
                Object one = warehouse.query(BoundSql.of("SELECT 1"), 1, new io.convergence.engine.exec.CancellationToken()).scalar();
                checks.add(Check.pass("connectivity", where + " answers (datasets listed, query jobs run, SELECT 1 = " + one + ")"));
            } catch (ConvergenceException | BigQueryException e) {
                checks.add(Check.fail("connectivity", where + " does not answer: " + e.getMessage(),
                        "check the network, the endpoint and that the project exists and BigQuery is enabled in it"));
                return checks;
            }
            for (TenantConfig tenant : tenants) {
                checks.addAll(metadata(workspaceRoot, target, tenant));
            }
            checks.add(stagingTables(warehouse, tenants));
        }
        return checks;
    }

    /**
     * The staging tables ({@code _cvg_stage_*}) in the tenants' datasets: running steps' or leftovers of killed runs.
     * Those already carry an expiration and BigQuery deletes them; one without (made before staging tables expired)
     * gets the target's {@code staging_expiration} from now, which no running step outlives. Nothing is dropped here:
     * another workstation may be using a staging table right now (the local target can drop its leftovers at open
     * because only one process holds its file).
     */
    static Check stagingTables(BigQueryWarehouse warehouse, List<TenantConfig> tenants) {
        String name = "staging tables";
        BigQuery bigquery = warehouse.connection().bigquery();
        String project = warehouse.connection().project();
        try {
            List<Table> staging = warehouse.jobs().call(() -> {
                List<Table> found = new ArrayList<>();
                for (Dataset d : bigquery.listDatasets(project, BigQuery.DatasetListOption.all()).iterateAll()) {
                    String dataset = d.getDatasetId().getDataset();
                    if (tenants.stream().noneMatch(t -> belongsTo(dataset, t))) {
                        continue;
                    }
                    for (Table t : bigquery.listTables(d.getDatasetId()).iterateAll()) {
                        if (t.getTableId().getTable().startsWith(Warehouse.STAGING_PREFIX)) {
                            // a listed table may not carry its expiration: read the table itself
                            Table full = bigquery.getTable(t.getTableId());
                            if (full != null) {
                                found.add(full);
                            }
                        }
                    }
                }
                return found;
            }, "listing staging tables");
            if (staging.isEmpty()) {
                return Check.pass(name, "none left by interrupted runs");
            }
            List<String> given = new ArrayList<>();
            for (Table t : staging) {
                if (t.getExpirationTime() == null) {
                    long expiry = warehouse.stagingExpiry().toEpochMilli();
                    warehouse.jobs().call(() -> bigquery.update(t.toBuilder().setExpirationTime(expiry).build()),
                            "setting the expiration of " + t.getTableId().getTable());
                    given.add(t.getTableId().getDataset() + "." + t.getTableId().getTable());
                }
            }
            return Check.pass(name, staging.size() + " in use by running steps or left by interrupted runs; BigQuery deletes them"
                    + " when they expire" + (given.isEmpty() ? "" : "; " + given.size() + " had no expiration and now expire in "
                    + io.convergence.engine.model.Durations.format(warehouse.connection().target().stagingExpiration()) + ": "
                    + String.join(", ", given)));
        } catch (ConvergenceException | BigQueryException e) {
            return Check.fail(name, "cannot list the staging tables: " + e.getMessage(),
                    "grant the credentials BigQuery Data Editor on the tenants' datasets");
        }
    }

    /** Whether {@code dataset} is one of the tenant's, by its dataset_naming ({tenant}_{dataset}) or its metadata dataset. */
    static boolean belongsTo(String dataset, TenantConfig tenant) {
        String naming = tenant.datasetNaming().replace("{tenant}", tenant.id());
        int at = naming.indexOf("{dataset}");
        if (at < 0) {
            return false;
        }
        String prefix = naming.substring(0, at);
        String suffix = naming.substring(at + "{dataset}".length());
        return dataset.length() > prefix.length() + suffix.length() && dataset.startsWith(prefix) && dataset.endsWith(suffix);
    }

    private static List<Check> metadata(Path workspaceRoot, BigQueryTarget target, TenantConfig tenant) {
        List<Check> checks = new ArrayList<>();
        String dataset;
        try {
            dataset = MetadataDataset.of(tenant);
        } catch (ConvergenceException e) {
            checks.add(Check.fail("metadata dataset (" + tenant.id() + ")", e.getMessage(), "fix metadata_dataset in tenant.yml"));
            return checks;
        }
        try (BigQueryWarehouse warehouse = BigQueryWarehouse.open(target, workspaceRoot, tenant.location())) {
            try {
                warehouse.ensureDataset(dataset);
                checks.add(Check.pass("metadata dataset (" + tenant.id() + ")", dataset + " exists in " + tenant.location()));
            } catch (ConvergenceException e) {
                checks.add(Check.fail("metadata dataset (" + tenant.id() + ")", "cannot create or read " + dataset + ": " + e.getMessage(),
                        "grant the credentials bigquery.datasets.create on the project, or create " + dataset + " in " + tenant.location()));
                return checks;
            }
            try (BigQueryLockStore locks = BigQueryLockStore.open(target, workspaceRoot, List.of(tenant))) {
                int held = (int) locks.currentLeases().stream().count();
                checks.add(Check.pass("lock table (" + tenant.id() + ")", dataset + "." + MetadataDataset.LOCKS + " is readable ("
                        + held + " held)"));
            } catch (ConvergenceException e) {
                checks.add(Check.fail("lock table (" + tenant.id() + ")", e.getMessage(),
                        "grant the credentials BigQuery Data Editor on " + dataset));
            }
            try {
                TableId fences = new TableId(dataset, MetadataDataset.FENCES);
                warehouse.createTable(fences, WarehouseFences.SCHEMA);
                long rows = warehouse.rowCount(fences);
                checks.add(Check.pass("fence table (" + tenant.id() + ")", fences + " is readable (" + rows + " pipelines fenced)"));
            } catch (ConvergenceException e) {
                checks.add(Check.fail("fence table (" + tenant.id() + ")", e.getMessage(),
                        "grant the credentials BigQuery Data Editor on " + dataset));
            }
        }
        return checks;
    }

    /** The credentials setting as it may be shown: the mode, or the key file's name only. */
    static String describeCredentials(String setting) {
        if (setting == null || setting.isBlank() || setting.equals("adc") || setting.equals("none")) {
            return setting == null || setting.isBlank() ? "adc" : setting;
        }
        return "key file " + Optional.ofNullable(Path.of(setting).getFileName()).map(Path::toString).orElse(setting);
    }
}
