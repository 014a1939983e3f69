-- attendance-copied (SPEC §4a): at least $attendance_copied_cells cells held a meeting in
-- the same month of the quarter in both quarters, and every such meeting has exactly last
-- quarter's attendees (last quarter's sheet sent again with the months changed). A cell
-- counts when one of its months is compared.
-- Grain: one row per such return; on the Meetings sheet, no row.
with

held as (
    select
        commune_code,
        year,
        quarter,
        cell_code,
        month - 3 * (quarter - 1) as month_of_quarter,
        attendees
    from in_use_meetings
    where regular_meeting
),

paired as (
    select
        judged.file_name,
        judged.commune_code,
        judged.year,
        judged.quarter,
        now.cell_code,
        now.attendees is not distinct from before.attendees as same
    from judged
    inner join held as now using (commune_code, year, quarter)
    inner join held as before
        on before.commune_code = judged.commune_code
        and before.year = judged.previous_year
        and before.quarter = judged.previous_quarter
        and before.cell_code = now.cell_code
        and before.month_of_quarter = now.month_of_quarter
),

by_return as (
    select
        file_name,
        commune_code,
        year,
        quarter,
        count(distinct cell_code) as cells,
        count(*) as meetings,
        bool_and(same) as all_same
    from paired
    group by all
)

select
    file_name,
    commune_code,
    year,
    quarter,
    'Meetings' as sheet,
    null::integer as "row",
    null::varchar as "column",
    null::varchar as cell,
    null::varchar as value,
    null::varchar as cell_code,
    null::varchar as cell_name,
    null::varchar as header,
    meetings::double as figure,
    meetings::double as compared,
    null::integer as admitted
from by_return
where cells >= $attendance_copied_cells and all_same
order by file_name;
