-- Every commune of the province for the period, with its indicators.
-- Grain: one row per commune; ordered by cluster, then achievement (best first).
with

stale as (
    select commune_code, count(*) as stale_cells
    from stale_cells
    where year = $year and quarter = $quarter
    group by all
),

period_problems as (
    select submissions.commune_code, sum(submissions.errors) as errors,
        sum(submissions.warnings) as warnings
    from submissions
    where submissions.year = $year and submissions.quarter = $quarter
        and submissions.status <> 'superseded'
    group by all
)

select
    communes.commune_code,
    communes.commune_name,
    communes.cluster,
    status.status,
    status.submitted_on,
    status.file_name,
    target.admissions_quarter,
    target.admissions_ytd,
    target.admissions_target,
    target.achievement_pct,
    target.expected_pct,
    target.on_pace,
    meetings.cells,
    meetings.cells_met_every_month,
    meetings.pct_met_every_month,
    meetings.cells_thematic,
    meetings.pct_thematic,
    meetings.attendance_rate,
    meetings.higher_level_attendances,
    meetings.meetings_held,
    meetings.pct_attendance_85,
    meetings.meetings_unreported,
    meetings.cells_with_assigned_member,
    meetings.pct_cells_with_assigned_member,
    meetings.meetings_assigned_present,
    meetings.pct_assigned_present,
    meetings.cells_assigned_absent,
    meetings.meetings_rated,
    meetings.meetings_rated_good,
    meetings.pct_rated_good,
    meetings.meetings_rated_poor,
    coalesce(stale.stale_cells, 0) as stale_cells,
    coalesce(period_problems.errors, 0) as errors,
    coalesce(period_problems.warnings, 0) as warnings
from communes
inner join submission_status as status
    on status.commune_code = communes.commune_code
    and status.year = $year and status.quarter = $quarter
left join admissions_vs_target as target
    on target.commune_code = communes.commune_code
    and target.year = $year and target.quarter = $quarter
left join cell_meetings as meetings
    on meetings.commune_code = communes.commune_code
    and meetings.year = $year and meetings.quarter = $quarter
left join stale on stale.commune_code = communes.commune_code
left join period_problems on period_problems.commune_code = communes.commune_code
order by
    communes.cluster nulls last,
    target.achievement_pct desc nulls last,
    communes.commune_name,
    communes.commune_code;
