-- last-admission-year-decreased (SPEC §4a): a cell's last_admission_year is earlier than in
-- the previous quarter's return, or blank where that had a year. A blank beside an admission
-- in the quarter states the quarter's year (SPEC §3 allows it), on either side.
-- Grain: one row per such cell of a return judged, on its Cells row, column
-- last_admission_year.
with

admitting as (
    select distinct
        commune_code,
        year,
        quarter,
        cell_code
    from in_use_admissions
),

stated as (
    select
        cells.commune_code,
        cells.year,
        cells.quarter,
        cells.cell_code,
        cells.cell_name,
        cells.last_admission_year,
        coalesce(
            cells.last_admission_year,
            case when admitting.cell_code is not null then cells.year end
        ) as stated_year
    from in_use_cells as cells
    left join admitting using (commune_code, year, quarter, cell_code)
),

paired as (
    select
        judged.*,
        now.cell_code,
        now.cell_name,
        now.last_admission_year,
        now.stated_year,
        before.stated_year as stated_before
    from judged
    inner join stated as now using (commune_code, year, quarter)
    inner join stated as before
        on before.commune_code = judged.commune_code
        and before.year = judged.previous_year
        and before.quarter = judged.previous_quarter
        and before.cell_code = now.cell_code
    where before.stated_year is not null
        and (now.stated_year is null or now.stated_year < before.stated_year)
)

select
    paired.file_name,
    paired.commune_code,
    paired.year,
    paired.quarter,
    'Cells' as sheet,
    rows.excel_row as "row",
    'last_admission_year' as "column",
    columns.letters || rows.excel_row as cell,
    paired.last_admission_year::varchar as value,
    paired.cell_code,
    paired.cell_name,
    columns.header,
    paired.last_admission_year::double as figure,
    paired.stated_before::double as compared,
    null::integer as admitted
from paired
inner join judged_rows as rows using (file_id, cell_code)
left join judged_columns as columns
    on columns.file_id = paired.file_id
    and columns.sheet = 'Cells'
    and columns."column" = 'last_admission_year'
order by paired.file_name, rows.excel_row;
