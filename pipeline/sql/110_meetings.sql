-- The monthly meetings of the returns in use.
-- Grain: one row per commune, year, quarter, cell and month reported.

create table meetings as
select
    returns.commune_code,
    returns.year,
    returns.quarter,
    rows.cell_code::varchar as cell_code,
    rows.month::integer as month,
    rows.regular_meeting::boolean as regular_meeting,
    rows.meeting_date::date as meeting_date,
    rows.attendees::integer as attendees,
    rows.thematic_meeting::boolean as thematic_meeting,
    coalesce(rows.higher_level_attendees, 0)::integer as higher_level_attendees,
    -- NULL: a return without these optional columns (not reported, never false)
    rows.assigned_member_attended::boolean as assigned_member_attended,
    rows.meeting_rating::varchar as meeting_rating
from staging.meetings as rows
inner join staging.returns as returns using (file_id)
order by returns.commune_code, returns.year, returns.quarter, rows.cell_code, rows.month;
