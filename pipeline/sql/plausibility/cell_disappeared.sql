-- cell-disappeared (SPEC §4a): a cell of the previous quarter's return that is not in this
-- one (cell codes compare upper-cased, as they are stored).
-- Grain: one row per such cell; on the Cells sheet, no row, the value its code.
with

last_quarter as (
    select
        judged.*,
        before.cell_code,
        before.cell_name,
        before.official_members + before.probationary_members as members
    from judged
    inner join in_use_cells as before
        on before.commune_code = judged.commune_code
        and before.year = judged.previous_year
        and before.quarter = judged.previous_quarter
)

select
    last_quarter.file_name,
    last_quarter.commune_code,
    last_quarter.year,
    last_quarter.quarter,
    'Cells' as sheet,
    null::integer as "row",
    null::varchar as "column",
    null::varchar as cell,
    last_quarter.cell_code as value,
    last_quarter.cell_code,
    last_quarter.cell_name,
    null::varchar as header,
    null::double as figure,
    last_quarter.members::double as compared,
    null::integer as admitted
from last_quarter
where not exists (
    select 1 from in_use_cells as now
    where now.commune_code = last_quarter.commune_code
        and now.year = last_quarter.year
        and now.quarter = last_quarter.quarter
        and now.cell_code = last_quarter.cell_code
)
order by last_quarter.file_name, last_quarter.cell_code;
