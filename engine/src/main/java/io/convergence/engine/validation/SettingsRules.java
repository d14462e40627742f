package io.convergence.engine.validation;

import io.convergence.engine.model.BigQueryTarget;
import io.convergence.engine.model.DataSize;
import io.convergence.engine.model.DuckDbTarget;
import io.convergence.engine.model.Durations;
import io.convergence.engine.model.Ids;
import io.convergence.engine.model.LockSettings;
import io.convergence.engine.model.Target;
import io.convergence.engine.model.TenantConfig;
import io.convergence.engine.model.WorkspaceConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rules of workspace.yml (targets, credentials, locks) and tenant.yml (ids, dataset naming). */
final class SettingsRules {
    private SettingsRules() {
    }

    static List<Problem> workspace(WorkspaceConfig config, Locator locator, Path workspaceDir, Set<String> unboundTargets) {
        List<Problem> out = new ArrayList<>();
        if (unboundTargets.contains(config.defaultTarget())) {
            // the target's own problems say what is wrong with it
        } else if (config.targets().isEmpty()) {
            out.add(Validator.at(locator, ProblemCode.UNKNOWN_TARGET, "/targets", "the workspace defines no targets",
                    "add one, such as 'local: {type: duckdb}'"));
        } else if (!config.targets().containsKey(config.defaultTarget())) {
            String suggestion = Suggestions.didYouMean(config.defaultTarget(), config.targets().keySet());
            out.add(Validator.at(locator, ProblemCode.UNKNOWN_TARGET, "/default_target", "default_target '" + config.defaultTarget()
                            + "' is not a target; targets: " + String.join(", ", config.targets().keySet()),
                    suggestion.isEmpty() ? "name one of the targets, or add a target with that name" : suggestion));
        }
        for (Map.Entry<String, Target> entry : config.targets().entrySet()) {
            String pointer = Pointers.child("/targets", entry.getKey());
            if (entry.getValue() instanceof BigQueryTarget bigQuery) {
                validateBigQuery(bigQuery, locator, pointer, workspaceDir, out);
            } else if (entry.getValue() instanceof DuckDbTarget duckDb && duckDb.memoryLimit() != null
                    && !isMemoryLimit(duckDb.memoryLimit())) {
                out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, pointer + "/memory_limit", "memory_limit '" + duckDb.memoryLimit()
                        + "' is not a size such as 2GB or a percentage such as 50%", ""));
            }
        }
        LockSettings locks = config.locks();
        if (locks.lease().isZero() || locks.lease().isNegative()) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, "/locks/lease", "the lock lease must be longer than zero", ""));
        } else if (locks.heartbeat().isZero() || locks.heartbeat().compareTo(locks.lease()) >= 0) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, "/locks/heartbeat",
                    "the lock heartbeat (" + Durations.format(locks.heartbeat()) + ") must be above zero and shorter than the lease ("
                            + Durations.format(locks.lease()) + ")",
                    "renew well within the lease, such as a third of it"));
        }
        return out;
    }

    private static void validateBigQuery(BigQueryTarget target, Locator locator, String pointer, Path workspaceDir, List<Problem> out) {
        if (target.stagingExpiration().isZero() || target.stagingExpiration().isNegative()) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, pointer + "/staging_expiration",
                    "staging_expiration must be longer than zero", "use a lifetime longer than any step, such as 24h"));
        }
        String credentials = target.credentials();
        String credentialsPointer = pointer + "/credentials";
        if (target.endpoint() != null) {
            try {
                URI uri = new URI(target.endpoint());
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new URISyntaxException(target.endpoint(), "not an http(s) URL");
                }
                if (uri.getUserInfo() != null) {
                    out.add(Validator.at(locator, ProblemCode.SECRET_IN_CONFIG, pointer + "/endpoint",
                            "the endpoint URL carries a user name or password", "remove the user info from the URL"));
                }
            } catch (URISyntaxException e) {
                out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, pointer + "/endpoint",
                        "endpoint must be an http or https URL such as http://127.0.0.1:9050", ""));
            }
        }
        if ("adc".equals(credentials)) {
            return;
        }
        if ("none".equals(credentials)) {
            if (target.endpoint() == null) {
                out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, credentialsPointer,
                        "credentials 'none' is only allowed with an endpoint (a local BigQuery-compatible server)",
                        "use 'adc' (Application Default Credentials) or a key file path"));
            }
            return;
        }
        if (Validator.looksLikeSecret(credentials)) {
            out.add(Validator.at(locator, ProblemCode.SECRET_IN_CONFIG, credentialsPointer,
                    "credentials look like an inline secret (a key, token or JSON document); secrets are never written in YAML",
                    "remove it from the file (and rotate it if the file was shared); use 'adc' or the path of a key file kept outside git"));
            return;
        }
        Path keyFile;
        try {
            keyFile = workspaceDir.resolve(credentials).normalize();
        } catch (InvalidPathException e) {
            out.add(Validator.at(locator, ProblemCode.FILE_NOT_FOUND, credentialsPointer, "credentials is neither 'adc', 'none' nor a valid path", ""));
            return;
        }
        if (!Files.isRegularFile(keyFile)) {
            out.add(Validator.at(locator, ProblemCode.FILE_NOT_FOUND, credentialsPointer, "key file not found: " + keyFile,
                    "use 'adc' (Application Default Credentials), or a path (relative to workspace.yml) to a service-account key file"));
        }
    }

    private static boolean isMemoryLimit(String text) {
        if (text.trim().matches("[0-9]+(\\.[0-9]+)?\\s*%")) {
            return true;
        }
        try {
            DataSize.parse(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static List<Problem> tenant(TenantConfig tenant, Locator locator, String folderName) {
        List<Problem> out = new ArrayList<>();
        if (folderName != null && !tenant.id().equals(folderName)) {
            out.add(Validator.at(locator, ProblemCode.ID_MISMATCH, "/id", "tenant id '" + tenant.id() + "' does not match its folder '" + folderName + "'",
                    "set 'id: " + folderName + "' or rename the folder"));
        }
        String naming = tenant.datasetNaming();
        String unknownPlaceholder = naming.replace("{tenant}", "").replace("{dataset}", "");
        if (!naming.contains("{dataset}")) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, "/dataset_naming", "dataset_naming must contain {dataset}",
                    "for example {tenant}_{dataset}"));
        } else if (unknownPlaceholder.contains("{") || unknownPlaceholder.contains("}")) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, "/dataset_naming", "dataset_naming may only use {tenant} and {dataset}", ""));
        } else if (!Ids.NAME_PATTERN.matcher(naming.replace("{tenant}", tenant.id()).replace("{dataset}", "raw")).matches()) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, "/dataset_naming", "dataset_naming produces invalid dataset names such as '"
                    + naming.replace("{tenant}", tenant.id()).replace("{dataset}", "raw") + "'", "use letters, digits and '_' only"));
        }
        String metadata = tenant.metadataDataset().replace("{tenant}", tenant.id());
        if (!Ids.NAME_PATTERN.matcher(metadata).matches()) {
            out.add(Validator.at(locator, ProblemCode.INVALID_SETTING, "/metadata_dataset", "metadata_dataset '" + metadata
                    + "' is not a valid dataset name", "use letters, digits and '_' ({tenant} is replaced)"));
        }
        return out;
    }
}
