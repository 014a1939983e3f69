-- The cells of each commune's return in use for the period, with their meetings
-- (staging.cell_quarters) and whether they are stale.
-- Grain: one row per commune and cell.
select
    cells.commune_code,
    cells.cell_code,
    cells.cell_name,
    cells.members,
    cells.months_met,
    cells.months_unreported,
    cells.thematic,
    100.0 * cells.attendees / nullif(cells.members_expected, 0) as attendance_rate,
    stale.cell_code is not null as stale,
    cells.years_without_admission,
    cells.assigned_member,
    -- held a meeting, none attended by its assigned member (NULL: not reported)
    cells.assigned_member is not null and cells.months_met > 0
        and cells.meetings_assigned_present = 0 as assigned_absent
from staging.cell_quarters as cells
left join stale_cells as stale
    on stale.commune_code = cells.commune_code
    and stale.cell_code = cells.cell_code
    and stale.year = cells.year and stale.quarter = cells.quarter
where cells.year = $year and cells.quarter = $quarter
order by cells.commune_code, cells.cell_code;
