package io.convergence.engine.warehouse;

import java.util.List;

/** What a dry run predicts about a query: bytes it would process (and bill), and tables it reads. */
public record DryRunEstimate(long bytesProcessed, long bytesBilled, List<TableId> referencedTables) {
    public DryRunEstimate {
        referencedTables = List.copyOf(referencedTables);
    }
}
