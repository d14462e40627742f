package io.convergence.engine.sql.analysis;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What the BigQuery analyzer made of one piece of SQL. */
public sealed interface SqlAnalysis {
    /** How BigQuery would refuse a statement; each kind has its own validation code. */
    enum Kind {
        /** The text does not parse. */
        SYNTAX,
        /** A column, table, function or field that does not exist. */
        UNKNOWN_NAME,
        /** Types that do not fit: an operator or function signature, a UNION, a cast. */
        TYPE,
        /** Anything else BigQuery refuses (grouping, aggregation, clauses that need others). */
        OTHER
    }

    /**
     * The statement resolved; {@code output} names and types its result columns ({@code $col1} when unnamed), and
     * {@code constructs} lists every function, cast and node kind it uses.
     */
    record Resolved(SqlSchema output, List<SqlConstruct> constructs) implements SqlAnalysis {
        public Resolved {
            requireNonNull(output, "output is null");
            constructs = List.copyOf(constructs);
        }
    }

    /**
     * BigQuery would refuse the statement. {@code line} and {@code column} are 1-based positions in the analyzed
     * text (0 when the analyzer gave none); {@code details} are the analyzer's further lines (the signatures it tried).
     */
    record Refused(Kind kind, String message, List<String> details, int line, int column) implements SqlAnalysis {
        public Refused {
            requireNonNull(kind, "kind is null");
            requireNonNull(message, "message is null");
            details = List.copyOf(details);
        }
    }

    /** The analyzer itself failed (a bug, or its native service died); nothing is known about the SQL. */
    record Failed(String reason) implements SqlAnalysis {
        public Failed {
            requireNonNull(reason, "reason is null");
        }
    }
}
