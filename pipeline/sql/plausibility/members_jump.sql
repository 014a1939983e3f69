-- members-jump (SPEC §4a): a cell whose members (official + probationary) differ from the
-- previous quarter's plus this quarter's admissions in the cell by more than
-- max($members_jump_min, $members_jump_pct % of the previous quarter's members).
-- Grain: one row per such cell of a return judged, on its Cells row, column official_members.
with

this_quarter as (
    select
        judged.*,
        cells.cell_code,
        cells.cell_name,
        cells.official_members,
        cells.official_members + cells.probationary_members as members
    from judged
    inner join in_use_cells as cells using (commune_code, year, quarter)
),

admitted as (
    select
        commune_code,
        year,
        quarter,
        cell_code,
        count(*) as admitted
    from in_use_admissions
    group by all
),

paired as (
    select
        this_quarter.*,
        before.official_members + before.probationary_members as previous,
        coalesce(admitted.admitted, 0) as admitted
    from this_quarter
    inner join in_use_cells as before
        on before.commune_code = this_quarter.commune_code
        and before.year = this_quarter.previous_year
        and before.quarter = this_quarter.previous_quarter
        and before.cell_code = this_quarter.cell_code
    left join admitted
        on admitted.commune_code = this_quarter.commune_code
        and admitted.year = this_quarter.year
        and admitted.quarter = this_quarter.quarter
        and admitted.cell_code = this_quarter.cell_code
)

select
    paired.file_name,
    paired.commune_code,
    paired.year,
    paired.quarter,
    'Cells' as sheet,
    rows.excel_row as "row",
    'official_members' as "column",
    columns.letters || rows.excel_row as cell,
    paired.official_members::varchar as value,
    paired.cell_code,
    paired.cell_name,
    columns.header,
    paired.members::double as figure,
    paired.previous::double as compared,
    paired.admitted::integer as admitted
from paired
inner join judged_rows as rows using (file_id, cell_code)
left join judged_columns as columns
    on columns.file_id = paired.file_id
    and columns.sheet = 'Cells'
    and columns."column" = 'official_members'
where abs(paired.members - (paired.previous + paired.admitted))
    > greatest($members_jump_min, $members_jump_pct * paired.previous / 100)
order by paired.file_name, rows.excel_row;
