package io.convergence.engine.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.google.cloud.bigquery.QueryParameterValue;
import io.convergence.engine.error.ConvergenceException;
import io.convergence.engine.error.ErrorCode;
import io.convergence.engine.sql.SqlLexer;
import io.convergence.engine.warehouse.BoundSql;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link BoundSql} as BigQuery receives it: every {@code ?} placeholder (outside literals, comments and quoted
 * names) becomes a named parameter {@code @_p1}, {@code @_p2}, ... bound to its value. Named parameters work in
 * every kind of query, scripts and transactions included, where positional ones do not, and BoundSql fragments
 * built by the runners compose positionally; so the naming happens here, once, just before a job is sent.
 */
record NamedParameters(String sql, Map<String, QueryParameterValue> values) {
    static final String PREFIX = "_p";

    NamedParameters {
        requireNonNull(sql, "sql is null");
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    static NamedParameters of(BoundSql bound) {
        StringBuilder out = new StringBuilder(bound.sql().length() + 16);
        Map<String, QueryParameterValue> values = new LinkedHashMap<>();
        int next = 0;
        for (SqlLexer.Token token : SqlLexer.tokenize(bound.sql())) {
            if (token.isSymbol("?")) {
                if (next >= bound.parameters().size()) {
                    throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "the SQL has more ? placeholders than bound values: " + bound);
                }
                String name = PREFIX + (next + 1);
                values.put(name, BigQueryValues.parameter(bound.parameters().get(next)));
                out.append('@').append(name);
                next++;
            } else {
                if (token.kind() == SqlLexer.Kind.PARAM && token.text().startsWith("@" + PREFIX)) {
                    // a query naming our own parameters could read values meant for another placeholder
                    throw new ConvergenceException(ErrorCode.SQL_ERROR, "query parameters starting with @" + PREFIX
                            + " are reserved by Convergence; rename " + token.text());
                }
                out.append(token.text());
            }
        }
        if (next != bound.parameters().size()) {
            throw new ConvergenceException(ErrorCode.INTERNAL_ERROR, "the SQL has " + next + " ? placeholders but "
                    + bound.parameters().size() + " bound values: " + bound);
        }
        return new NamedParameters(out.toString(), values);
    }
}
