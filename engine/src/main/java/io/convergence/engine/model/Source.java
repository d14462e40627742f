package io.convergence.engine.model;

import static java.util.Objects.requireNonNull;

import io.convergence.engine.model.meta.Default;
import io.convergence.engine.model.meta.Doc;
import io.convergence.engine.model.meta.Minimum;
import io.convergence.engine.model.meta.Required;

/** Input files of an ingest step. */
@Doc("Input files: a path or glob relative to pipeline.yml, or gs:// on BigQuery.")
public record Source(
        @Doc("File, glob (data/orders_*.csv) or gs:// URI.") @Required String uri,
        @Doc("File format.") @Required FileFormat format,
        @Doc("CSV only: the first line names the columns. Columns load by position, as in BigQuery; a header naming the schema's columns in another order stops the step.") @Default("true") boolean header,
        @Doc("CSV only: field separator.") @Default(",") String delimiter,
        @Doc("CSV only: lines to skip before the header.") @Default("0") @Minimum(0) int skipLines) {
    public Source {
        requireNonNull(uri, "uri is null");
        requireNonNull(format, "format is null");
        requireNonNull(delimiter, "delimiter is null");
    }
}
