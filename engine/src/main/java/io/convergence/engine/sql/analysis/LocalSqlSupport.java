package io.convergence.engine.sql.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the local (DuckDB) target runs exactly as BigQuery does, construct by construct: a function, a cast between
 * two types, or a kind of scan. The table is measured, not declared: the conformance corpus (reference examples with
 * BigQuery's rows) writes it, and a construct counts as exact only when every corpus example using it gave BigQuery's
 * rows and none gave other rows. Anything else is refused on the local target before a run, never approximated.
 */
public final class LocalSqlSupport {
    /** The table's resource, written by the conformance test ({@code -Dconvergence.regenerate=true}). */
    public static final String RESOURCE = "local-sql-support.tsv";

    /** How the local target runs a construct. */
    public enum Status {
        /** Every corpus example with it gave BigQuery's rows. */
        EXACT,
        /** A corpus example with it gave other rows than BigQuery's. */
        DIFFERS
    }

    /** One row of the table; {@code evidence} names the corpus examples behind it. */
    public record Entry(SqlConstruct.Kind kind, String name, String detail, Status status, String evidence) {
    }

    private static final LocalSqlSupport MEASURED = load();

    private final Map<String, Entry> entries;

    private LocalSqlSupport(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The table as the conformance corpus last measured it. */
    public static LocalSqlSupport measured() {
        return MEASURED;
    }

    public static LocalSqlSupport of(List<Entry> entries) {
        Map<String, Entry> byKey = new LinkedHashMap<>();
        for (Entry entry : entries) {
            byKey.put(key(entry.kind(), entry.name(), entry.detail()), entry);
        }
        return new LocalSqlSupport(byKey);
    }

    private static LocalSqlSupport load() {
        InputStream in = LocalSqlSupport.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException(RESOURCE + " is missing from the engine jar");
        }
        List<Entry> entries = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                entries.add(new Entry(SqlConstruct.Kind.valueOf(cells[0]), cells[1], cells[2], Status.valueOf(cells[3]), cells[4]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return of(entries);
    }

    /** Only the cast's types matter; a function is one construct whatever its signature. */
    private static String key(SqlConstruct.Kind kind, String name, String detail) {
        return kind + "|" + name + (kind == SqlConstruct.Kind.CAST ? "|" + detail : "");
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Why the local target refuses each construct it cannot run exactly, in the statement's order; empty when it runs all. */
    public List<String> refusals(List<SqlConstruct> constructs) {
        java.util.Set<String> refused = new java.util.LinkedHashSet<>();
        for (SqlConstruct construct : constructs) {
            Entry entry = entries.get(key(construct.kind(), construct.name(), construct.detail()));
            if (entry == null && construct.kind() == SqlConstruct.Kind.NODE) {
                continue; // scans of tables and joins are no corpus example's; a kind DuckDB lacks fails loudly at run time
            }
            if (entry == null) {
                refused.add(construct.display() + " (not verified against BigQuery's results)");
            } else if (entry.status() == Status.DIFFERS) {
                refused.add(construct.display() + " (gives other results than BigQuery)");
            }
        }
        return List.copyOf(refused);
    }
}
