-- The public interface as the warehouse describes it: every table and view of the
-- `main` schema with its columns and their COMMENTs (see pipeline/sql/900_comments.sql).
-- Grain: one row per column, in the relation's column order.
with

relations as (
    select table_name as relation, comment
    from duckdb_tables()
    where database_name = current_database() and schema_name = 'main' and not internal
    union all
    select view_name as relation, comment
    from duckdb_views()
    where database_name = current_database() and schema_name = 'main' and not internal
)

select
    relations.relation,
    relations.comment as relation_comment,
    columns.column_name,
    columns.data_type,
    columns.comment as column_comment
from relations
inner join duckdb_columns() as columns
    on columns.database_name = current_database()
    and columns.schema_name = 'main'
    and columns.table_name = relations.relation
order by relations.relation, columns.column_index;
