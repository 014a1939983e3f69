-- Each cell of a return in use, in its quarter: its meetings and its admissions on record.
-- The one definition of the per-cell figures that cell_meetings, stale_cells, the province
-- summary and the bulletins' cell lists add up or show.
-- Grain: one row per commune, year, quarter and cell.

create table staging.cell_quarters as
with

meetings_of_cell as (
    select
        commune_code,
        year,
        quarter,
        cell_code,
        count(*) filter (where regular_meeting) as months_met,
        count(*) as months_reported,
        coalesce(bool_or(thematic_meeting), false) as thematic,
        sum(attendees) filter (where regular_meeting) as attendees,
        sum(higher_level_attendees) as higher_level_attendances,
        count(*) filter (where regular_meeting and assigned_member_attended)
            as meetings_assigned_present,
        count(*) filter (where regular_meeting and meeting_rating is not null) as meetings_rated,
        count(*) filter (where regular_meeting and meeting_rating = 'good') as meetings_rated_good,
        count(*) filter (where regular_meeting and meeting_rating = 'poor') as meetings_rated_poor
    from meetings
    group by all
),

reported as (
    -- which optional columns each return in use has: without one, its figures are NULL
    select
        returns.commune_code,
        returns.year,
        returns.quarter,
        files.assigned_member_reported,
        files.assigned_member_attended_reported and files.assigned_member_reported
            as attended_reported,
        files.meeting_rating_reported as rating_reported
    from staging.returns as returns
    inner join staging.files as files using (file_id)
),

meetings_at_85 as (
    -- held meetings where at least 85 % of the cell's members attended (SPEC §6)
    select
        meetings.commune_code,
        meetings.year,
        meetings.quarter,
        meetings.cell_code,
        count(*) as meetings_attendance_85
    from meetings
    inner join cells using (commune_code, year, quarter, cell_code)
    where meetings.regular_meeting
        and meetings.attendees * 100 >= 85 * (cells.official_members + cells.probationary_members)
    group by all
),

admitted as (
    -- only admissions up to the quarter count: a later one does not refresh the past
    select
        cells.commune_code,
        cells.year,
        cells.quarter,
        cells.cell_code,
        max(year(admissions.admitted_on)) as latest_admitted_year
    from cells
    inner join admissions
        on admissions.commune_code = cells.commune_code
        and admissions.cell_code = cells.cell_code
        and year(admissions.admitted_on) * 4 + quarter(admissions.admitted_on)
            <= cells.year * 4 + cells.quarter
    group by all
)

select
    cells.commune_code,
    cells.year,
    cells.quarter,
    cells.cell_code,
    cells.cell_name,
    cells.last_admission_year,
    cells.official_members + cells.probationary_members as members,
    coalesce(meetings_of_cell.months_met, 0) as months_met,
    3 - coalesce(meetings_of_cell.months_reported, 0) as months_unreported,
    coalesce(meetings_of_cell.thematic, false) as thematic,
    meetings_of_cell.attendees,
    coalesce(meetings_of_cell.months_met, 0) * (cells.official_members + cells.probationary_members)
        as members_expected,
    coalesce(meetings_of_cell.higher_level_attendances, 0) as higher_level_attendances,
    coalesce(meetings_at_85.meetings_attendance_85, 0) as meetings_attendance_85,
    (cells.year - greatest(cells.last_admission_year, admitted.latest_admitted_year))::integer
        as years_without_admission,
    reported.assigned_member_reported,
    reported.attended_reported,
    reported.rating_reported,
    cells.assigned_member,
    case when reported.attended_reported
        then coalesce(meetings_of_cell.meetings_assigned_present, 0)
    end as meetings_assigned_present,
    case when reported.rating_reported then coalesce(meetings_of_cell.meetings_rated, 0) end
        as meetings_rated,
    case when reported.rating_reported then coalesce(meetings_of_cell.meetings_rated_good, 0) end
        as meetings_rated_good,
    case when reported.rating_reported then coalesce(meetings_of_cell.meetings_rated_poor, 0) end
        as meetings_rated_poor
from cells
left join meetings_of_cell using (commune_code, year, quarter, cell_code)
left join meetings_at_85 using (commune_code, year, quarter, cell_code)
left join admitted using (commune_code, year, quarter, cell_code)
inner join reported using (commune_code, year, quarter)
order by cells.commune_code, cells.year, cells.quarter, cells.cell_code;
