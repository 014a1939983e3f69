-- The cells of each commune's return in use for the period, with their meetings.
-- Grain: one row per commune and cell.
with

admitted as (
    select commune_code, cell_code, max(year(admitted_on)) as latest_year
    from admissions
    where year(admitted_on) * 4 + quarter(admitted_on) <= $year * 4 + $quarter
    group by all
),

per_cell as (
    select
        cells.commune_code,
        cells.cell_code,
        count(meetings.month) filter (where meetings.regular_meeting) as months_met,
        3 - count(meetings.month) as months_unreported,
        coalesce(bool_or(meetings.thematic_meeting), false) as thematic,
        100.0 * sum(meetings.attendees) filter (where meetings.regular_meeting)
            / nullif(sum(cells.official_members + cells.probationary_members)
                filter (where meetings.regular_meeting), 0) as attendance_rate
    from cells
    left join meetings using (commune_code, year, quarter, cell_code)
    where cells.year = $year and cells.quarter = $quarter
    group by all
)

select
    cells.commune_code,
    cells.cell_code,
    cells.cell_name,
    cells.official_members + cells.probationary_members as members,
    per_cell.months_met,
    per_cell.months_unreported,
    per_cell.thematic,
    per_cell.attendance_rate,
    stale.cell_code is not null as stale,
    cells.year - greatest(cells.last_admission_year, admitted.latest_year)
        as years_without_admission
from cells
inner join per_cell using (commune_code, cell_code)
left join admitted using (commune_code, cell_code)
left join stale_cells as stale
    on stale.commune_code = cells.commune_code
    and stale.cell_code = cells.cell_code
    and stale.year = cells.year and stale.quarter = cells.quarter
where cells.year = $year and cells.quarter = $quarter
order by cells.commune_code, cells.cell_code;
