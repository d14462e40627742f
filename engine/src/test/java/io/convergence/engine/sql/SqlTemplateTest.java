package io.convergence.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTemplateTest {
    @Test
    void findsRefsAndParametersWithPositions() {
        SqlTemplate t = SqlTemplate.parse("""
                select order_id, amount
                from {{ ref('raw.orders') }} o
                join {{ref("raw.customers")}} c on c.id = o.customer_id
                where order_date >= @partition_start and order_date < @partition_end
                  and amount > @min_amount
                """);
        assertThat(t.refs()).extracting(SqlTemplate.Ref::target).containsExactly("raw.orders", "raw.customers");
        assertThat(t.refs().get(0).line()).isEqualTo(2);
        assertThat(t.refs().get(0).column()).isEqualTo(6);
        assertThat(t.parameterNames()).containsExactly("partition_start", "partition_end", "min_amount");
        assertThat(t.rawTables()).isEmpty();
        assertThat(t.badTemplates()).isEmpty();
        assertThat(t.statementCount()).isEqualTo(1);
    }

    @Test
    void ignoresLiteralsAndComments() {
        SqlTemplate t = SqlTemplate.parse("""
                -- from secret_table @not_a_param
                /* join other {{ ref('x.y') }} */
                select '@nope from t', "{{ nope }}", '''from z''' from {{ ref('a.b') }} # @hash
                """);
        assertThat(t.refs()).extracting(SqlTemplate.Ref::target).containsExactly("a.b");
        assertThat(t.parameters()).isEmpty();
        assertThat(t.rawTables()).isEmpty();
    }

    @Test
    void reportsTablesNamedDirectly() {
        SqlTemplate t = SqlTemplate.parse("select * from raw.orders o\njoin `proj.ds.customers` c using (id)");
        assertThat(t.rawTables()).extracting(SqlTemplate.RawTable::text).containsExactly("raw.orders", "`proj.ds.customers`");
        assertThat(t.rawTables().get(1).line()).isEqualTo(2);
        assertThat(t.rawTables().get(1).column()).isEqualTo(6);
    }

    @Test
    void allowsCtesSubqueriesUnnestAndFromInsideFunctions() {
        SqlTemplate t = SqlTemplate.parse("""
                with recent as (select * from {{ ref('raw.orders') }}),
                     totals as (select extract(day from order_date) d, trim(both ' ' from name) n from recent)
                select * from totals
                cross join unnest([1, 2]) as x
                join (select 1) s on true
                where a is distinct from b
                """);
        assertThat(t.rawTables()).isEmpty();
    }

    @Test
    void reportsMalformedTemplates() {
        SqlTemplate t = SqlTemplate.parse("select * from {{ source('raw', 'orders') }} join {{ ref(raw.x) }} on true");
        assertThat(t.badTemplates()).hasSize(2);
        assertThat(t.refs()).isEmpty();
    }

    @Test
    void rendersQuotedRefsAndPositionalPlaceholders() {
        SqlTemplate t = SqlTemplate.parse("select * from {{ ref('raw.orders') }} where d >= @start and d < @end and x = @start;");
        SqlTemplate.Rendered r = t.render(ref -> "\"acme_" + ref.replace(".", "\".\"") + "\"", true);
        assertThat(r.sql()).isEqualTo("select * from \"acme_raw\".\"orders\" where d >= ? and d < ? and x = ?");
        assertThat(r.parameterOrder()).isEqualTo(List.of("start", "end", "start"));
        SqlTemplate.Rendered named = t.render(ref -> "`p.acme_raw.orders`", false);
        assertThat(named.sql()).contains("@start").contains("`p.acme_raw.orders`");
        assertThat(named.parameterOrder()).isEmpty();
    }

    @Test
    void countsStatementsAndIgnoresSystemVariables() {
        assertThat(SqlTemplate.parse("select 1; select 2;").statementCount()).isEqualTo(2);
        assertThat(SqlTemplate.parse("select 1;  -- trailing\n").statementCount()).isEqualTo(1);
        assertThat(SqlTemplate.parse("select @@project_id").parameters()).isEmpty();
    }

    @Test
    void neverThrowsOnGarbage() {
        for (String s : List.of("", "{{", "'unterminated", "/* open", "@", "from", "from (", ")))", "{{ ref('a.b')", "`x")) {
            SqlTemplate.parse(s);
        }
    }
}
