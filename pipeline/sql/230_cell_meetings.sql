-- Regular and thematic meetings, attendance (SPEC §6), added up from the cells'
-- figures (staging.cell_quarters).
-- Grain: one row per commune with an accepted return for the quarter.

create table cell_meetings as
with

by_commune as (
    select
        commune_code,
        year,
        quarter,
        count(*) as cells,
        count(*) filter (where months_met = 3) as cells_met_every_month,
        count(*) filter (where thematic) as cells_thematic,
        sum(months_unreported) as meetings_unreported,
        sum(attendees) as attendees,
        sum(members_expected) as members_expected,
        sum(higher_level_attendances) as higher_level_attendances,
        sum(months_met) as meetings_held,
        sum(meetings_attendance_85) as meetings_attendance_85,
        -- assigned members and ratings: NULL unless the return has their columns
        case when bool_and(assigned_member_reported) then count(assigned_member) end
            as cells_with_assigned_member,
        case when bool_and(attended_reported) then coalesce(
            sum(meetings_assigned_present) filter (where assigned_member is not null), 0
        ) end as meetings_assigned_present,
        case when bool_and(attended_reported) then coalesce(
            sum(months_met) filter (where assigned_member is not null), 0
        ) end as meetings_of_assigned_cells,
        case when bool_and(attended_reported) then count(*) filter (
            where assigned_member is not null and months_met > 0 and meetings_assigned_present = 0
        ) end as cells_assigned_absent,
        sum(meetings_rated) as meetings_rated,
        sum(meetings_rated_good) as meetings_rated_good,
        sum(meetings_rated_poor) as meetings_rated_poor
    from staging.cell_quarters
    group by all
)

select
    commune_code,
    year,
    quarter,
    cells::integer as cells,
    cells_met_every_month::integer as cells_met_every_month,
    100.0 * cells_met_every_month / nullif(cells, 0) as pct_met_every_month,
    cells_thematic::integer as cells_thematic,
    100.0 * cells_thematic / nullif(cells, 0) as pct_thematic,
    100.0 * attendees / nullif(members_expected, 0) as attendance_rate,
    higher_level_attendances::integer as higher_level_attendances,
    meetings_held::integer as meetings_held,
    meetings_attendance_85::integer as meetings_attendance_85,
    100.0 * meetings_attendance_85 / nullif(meetings_held, 0) as pct_attendance_85,
    meetings_unreported::integer as meetings_unreported,
    cells_with_assigned_member::integer as cells_with_assigned_member,
    100.0 * cells_with_assigned_member / nullif(cells, 0) as pct_cells_with_assigned_member,
    meetings_assigned_present::integer as meetings_assigned_present,
    100.0 * meetings_assigned_present / nullif(meetings_of_assigned_cells, 0)
        as pct_assigned_present,
    cells_assigned_absent::integer as cells_assigned_absent,
    meetings_rated::integer as meetings_rated,
    meetings_rated_good::integer as meetings_rated_good,
    100.0 * meetings_rated_good / nullif(meetings_rated, 0) as pct_rated_good,
    meetings_rated_poor::integer as meetings_rated_poor
from by_commune
order by year, quarter, commune_code;
