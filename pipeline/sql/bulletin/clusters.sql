-- Subtotals of each cluster for the period: sums of numerators over sums of denominators.
-- Grain: one row per cluster (communes without a cluster are left out).
with

members as (
    select
        commune_code,
        sum(attendees) as attendees,
        sum(members_expected) as members_expected
    from staging.cell_quarters
    where year = $year and quarter = $quarter
    group by all
),

stale as (
    select commune_code, count(*) as stale_cells
    from stale_cells
    where year = $year and quarter = $quarter
    group by all
)

select
    communes.cluster,
    count(*) as communes,
    count(*) filter (where status.status in ('on_time', 'late')) as communes_accepted,
    sum(target.admissions_quarter) as admissions_quarter,
    sum(target.admissions_ytd) as admissions_ytd,
    sum(target.admissions_target) as admissions_target,
    sum(target.admissions_ytd) filter (where target.admissions_target is not null)
        as admissions_ytd_with_target,
    100.0 * sum(target.admissions_ytd) filter (where target.admissions_target is not null)
        / nullif(sum(target.admissions_target), 0) as achievement_pct,
    100.0 * sum(target.admissions_ytd) filter (where target.admissions_target is not null)
        / nullif(sum(target.admissions_target), 0) >= 25.0 * $quarter as on_pace,
    100.0 * sum(meetings.cells_met_every_month) / nullif(sum(meetings.cells), 0)
        as pct_met_every_month,
    100.0 * sum(meetings.cells_thematic) / nullif(sum(meetings.cells), 0) as pct_thematic,
    100.0 * sum(members.attendees) / nullif(sum(members.members_expected), 0)
        as attendance_rate,
    coalesce(sum(stale.stale_cells), 0) as stale_cells
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
left join members on members.commune_code = communes.commune_code
left join stale on stale.commune_code = communes.commune_code
where communes.cluster is not null
group by communes.cluster
order by communes.cluster;
