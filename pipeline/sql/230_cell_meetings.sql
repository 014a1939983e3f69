-- Regular and thematic meetings, attendance (SPEC §6).
-- Grain: one row per commune with an accepted return for the quarter.

create table cell_meetings as
with

cell_members as (
    select
        *,
        official_members + probationary_members as members
    from cells
),

per_cell as (
    select
        cell_members.commune_code,
        cell_members.year,
        cell_members.quarter,
        cell_members.cell_code,
        count(distinct meetings.month) filter (where meetings.regular_meeting) as months_met,
        coalesce(bool_or(meetings.thematic_meeting), false) as thematic,
        count(meetings.month) as months_reported
    from cell_members
    left join meetings using (commune_code, year, quarter, cell_code)
    group by all
),

by_cell as (
    select
        commune_code,
        year,
        quarter,
        count(*) as cells,
        count(*) filter (where months_met = 3) as cells_met_every_month,
        count(*) filter (where thematic) as cells_thematic,
        3 * count(*) - sum(months_reported) as meetings_unreported
    from per_cell
    group by all
),

by_meeting as (
    select
        cell_members.commune_code,
        cell_members.year,
        cell_members.quarter,
        sum(meetings.attendees) filter (where meetings.regular_meeting) as attendees,
        sum(cell_members.members) filter (where meetings.regular_meeting) as members_expected,
        coalesce(sum(meetings.higher_level_attendees), 0) as higher_level_attendances,
        count(*) filter (where meetings.regular_meeting) as meetings_held,
        count(*) filter (
            where meetings.regular_meeting
            and meetings.attendees * 100 >= 85 * cell_members.members
        ) as meetings_attendance_85
    from cell_members
    inner join meetings using (commune_code, year, quarter, cell_code)
    group by all
)

select
    by_cell.commune_code,
    by_cell.year,
    by_cell.quarter,
    by_cell.cells::integer as cells,
    by_cell.cells_met_every_month::integer as cells_met_every_month,
    100.0 * by_cell.cells_met_every_month / nullif(by_cell.cells, 0) as pct_met_every_month,
    by_cell.cells_thematic::integer as cells_thematic,
    100.0 * by_cell.cells_thematic / nullif(by_cell.cells, 0) as pct_thematic,
    100.0 * by_meeting.attendees / nullif(by_meeting.members_expected, 0) as attendance_rate,
    coalesce(by_meeting.higher_level_attendances, 0)::integer as higher_level_attendances,
    coalesce(by_meeting.meetings_held, 0)::integer as meetings_held,
    coalesce(by_meeting.meetings_attendance_85, 0)::integer as meetings_attendance_85,
    100.0 * by_meeting.meetings_attendance_85 / nullif(by_meeting.meetings_held, 0)
        as pct_attendance_85,
    by_cell.meetings_unreported::integer as meetings_unreported
from by_cell
left join by_meeting using (commune_code, year, quarter)
order by by_cell.year, by_cell.quarter, by_cell.commune_code;
