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
        sum(meetings_attendance_85) as meetings_attendance_85
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
    meetings_unreported::integer as meetings_unreported
from by_commune
order by year, quarter, commune_code;
