-- The relations the `export` command writes: every table and view of the public `main`
-- schema (the `staging` schema is plumbing), and whether each is partitioned.
-- Grain: one row per relation.
-- A relation with year and quarter columns is written hive-partitioned by them, except
-- `submissions`: a file whose period cannot be read has year and quarter NULL, and one
-- file keeps those rows with the others instead of in a `year=NULL` folder.
with

relations as (
    select table_name as relation
    from duckdb_tables()
    where database_name = current_database() and schema_name = 'main' and not internal
    union all
    select view_name as relation
    from duckdb_views()
    where database_name = current_database() and schema_name = 'main' and not internal
),

period_columns as (
    select table_name as relation, count(*) as period_columns
    from duckdb_columns()
    where database_name = current_database() and schema_name = 'main'
        and column_name in ('year', 'quarter')
    group by all
)

select
    relations.relation,
    coalesce(period_columns.period_columns, 0) = 2 and relations.relation <> 'submissions'
        as partitioned
from relations
left join period_columns using (relation)
order by relations.relation;
