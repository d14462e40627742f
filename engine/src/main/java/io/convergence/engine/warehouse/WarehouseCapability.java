package io.convergence.engine.warehouse;

/** Optional abilities of a {@link Warehouse}; contract tests and runners narrow on them. */
public enum WarehouseCapability {
    /** {@link Warehouse#dryRun} estimates bytes processed without running the query. */
    DRY_RUN,
    /** A {@link io.convergence.engine.exec.CancellationToken} interrupts a running query. */
    CANCEL,
    /** {@link Warehouse#stageFiles} reads files on the local file system. */
    LOCAL_FILES,
    /** {@link Warehouse#stageFiles} reads gs:// objects. */
    CLOUD_STORAGE_FILES
}
