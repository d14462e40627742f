package io.convergence.engine.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.convergence.engine.model.meta.Doc;

/** A data-quality check; the YAML key {@code type} picks the kind. */
@Doc("A data-quality check; 'type' selects the kind.")
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Check.NotNull.class, name = "not_null"),
        @JsonSubTypes.Type(value = Check.Unique.class, name = "unique"),
        @JsonSubTypes.Type(value = Check.AcceptedValues.class, name = "accepted_values"),
        @JsonSubTypes.Type(value = Check.Range.class, name = "range"),
        @JsonSubTypes.Type(value = Check.RowCount.class, name = "row_count"),
        @JsonSubTypes.Type(value = Check.Freshness.class, name = "freshness"),
        @JsonSubTypes.Type(value = Check.Relationships.class, name = "relationships"),
        @JsonSubTypes.Type(value = Check.Expression.class, name = "expression")})
public sealed interface Check {
    /** Optional name shown in results; defaults to type and column. */
    String name();

    CheckSeverity severity();

    /** The YAML spelling of this check's type. */
    String typeName();

    @Doc("No NULL in the column.")
    record NotNull(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Column under test.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String column)
            implements Check {
        @Override
        public String typeName() {
            return "not_null";
        }
    }

    @Doc("No two rows share the values of these columns.")
    record Unique(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Columns that together must be unique.") @io.convergence.engine.model.meta.Required
            java.util.List<@io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String> columns)
            implements Check {
        public Unique {
            columns = java.util.List.copyOf(columns);
        }

        @Override
        public String typeName() {
            return "unique";
        }
    }

    @Doc("Every non-NULL value is one of the listed values.")
    record AcceptedValues(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Column under test.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String column,
            @Doc("Allowed values.") @io.convergence.engine.model.meta.Required java.util.List<@io.convergence.engine.model.meta.Scalar String> values)
            implements Check {
        public AcceptedValues {
            values = java.util.List.copyOf(values);
        }

        @Override
        public String typeName() {
            return "accepted_values";
        }
    }

    @Doc("Values lie between min and max (inclusive); either bound may be left out.")
    record Range(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Column under test.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String column,
            @Doc("Lowest allowed value (number, date or timestamp literal).") @io.convergence.engine.model.meta.Scalar String min,
            @Doc("Highest allowed value.") @io.convergence.engine.model.meta.Scalar String max)
            implements Check {
        @Override
        public String typeName() {
            return "range";
        }
    }

    @Doc("The table (or partition) has between min and max rows.")
    record RowCount(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Fewest rows.") @io.convergence.engine.model.meta.Minimum(0) Long min,
            @Doc("Most rows.") @io.convergence.engine.model.meta.Minimum(0) Long max)
            implements Check {
        @Override
        public String typeName() {
            return "row_count";
        }
    }

    @Doc("The newest value of a timestamp column is no older than max_age at run time.")
    record Freshness(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("DATE or TIMESTAMP column.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String column,
            @Doc("Largest allowed age, such as 1d.") @io.convergence.engine.model.meta.Required java.time.Duration maxAge)
            implements Check {
        @Override
        public String typeName() {
            return "freshness";
        }
    }

    @Doc("Every non-NULL value of column exists in field of the table 'to' (a foreign key).")
    record Relationships(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Referencing column.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String column,
            @Doc("Referenced table as dataset.table.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.TABLE_REF) String to,
            @Doc("Referenced column.") @io.convergence.engine.model.meta.Required @io.convergence.engine.model.meta.Pattern(Ids.COLUMN) String field)
            implements Check {
        @Override
        public String typeName() {
            return "relationships";
        }
    }

    @Doc("A boolean SQL predicate every row must satisfy; rows where it is false or NULL fail.")
    record Expression(
            @Doc("Name shown in results.") String name,
            @Doc("error or warn.") @io.convergence.engine.model.meta.Default("error") CheckSeverity severity,
            @Doc("Boolean predicate over the table's columns (no subqueries, no table names).") @io.convergence.engine.model.meta.Required String sql)
            implements Check {
        @Override
        public String typeName() {
            return "expression";
        }
    }
}
