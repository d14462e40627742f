package io.convergence.engine.sql.analysis;

import static java.util.Objects.requireNonNull;

/**
 * One thing a resolved statement uses, as BigQuery's analyzer identified it: a function with its exact signature,
 * a cast between two types, or a kind of scan or expression. A target that cannot run a construct exactly as
 * BigQuery does refuses the statement before it runs.
 *
 * @param kind what it is
 * @param name the function's analyzer name ({@code concat}, {@code $add}, {@code SAFE.regexp_extract}), the cast
 *             ({@code CAST}, {@code SAFE_CAST}), or the node kind ({@code PivotScan})
 * @param detail the signature ({@code (STRING, STRING) -> STRING}), the cast's types ({@code STRING AS INT64}), or empty
 */
public record SqlConstruct(Kind kind, String name, String detail) implements Comparable<SqlConstruct> {
    /** What a construct is. */
    public enum Kind {
        FUNCTION, AGGREGATE, ANALYTIC, CAST, NODE
    }

    public SqlConstruct {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(detail, "detail is null");
    }

    /** How a person would write it: {@code REGEXP_EXTRACT}, {@code +}, {@code CAST(STRING AS INT64)}, {@code PIVOT}. */
    public String display() {
        return switch (kind) {
            case CAST -> name + "(" + detail + ")";
            case NODE -> name;
            default -> SqlFunctionNames.display(name);
        };
    }

    @Override
    public int compareTo(SqlConstruct other) {
        int byKind = kind.compareTo(other.kind);
        if (byKind != 0) {
            return byKind;
        }
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : detail.compareTo(other.detail);
    }
}
