-- The province at a glance: sums of numerators over sums of denominators (SPEC §6).
-- Grain: one row per quarter of staging.quarters.

create table province_summary as
with

returns as (
    select
        year,
        quarter,
        count(*) as communes_expected,
        count(*) filter (where status in ('on_time', 'late')) as communes_accepted,
        count(*) filter (where status = 'on_time') as communes_on_time
    from submission_status
    group by all
),

targets_met as (
    select
        year,
        quarter,
        sum(admissions_quarter) as admissions_quarter,
        sum(admissions_ytd) as admissions_ytd,
        sum(admissions_target) as admissions_target,
        sum(admissions_ytd) filter (where admissions_target is not null) as ytd_with_target
    from admissions_vs_target
    group by all
),

meetings_summed as (
    select
        year,
        quarter,
        sum(cells) as cells,
        sum(cells_met_every_month) as cells_met_every_month,
        sum(cells_thematic) as cells_thematic
    from cell_meetings
    group by all
),

attendance as (
    select
        year,
        quarter,
        sum(attendees) as attendees,
        sum(members_expected) as members_expected
    from staging.cell_quarters
    group by all
),

members as (
    select
        year,
        quarter,
        sum(official_members) as official_members,
        sum(probationary_members) as probationary_members
    from cells
    group by all
),

assigned as (
    -- Σ numerators / Σ denominators over the cells of the returns that report them: NULL
    -- when none does
    select
        year,
        quarter,
        100.0 * count(assigned_member) filter (where assigned_member_reported)
            / nullif(count(*) filter (where assigned_member_reported), 0)
            as pct_cells_with_assigned_member,
        100.0 * sum(meetings_assigned_present)
            filter (where attended_reported and assigned_member is not null)
            / nullif(sum(months_met)
                filter (where attended_reported and assigned_member is not null), 0)
            as pct_assigned_present,
        100.0 * sum(meetings_rated_good) filter (where rating_reported)
            / nullif(sum(meetings_rated) filter (where rating_reported), 0) as pct_rated_good
    from staging.cell_quarters
    group by all
),

stale as (
    select
        year,
        quarter,
        count(*) as stale_cells
    from stale_cells
    group by all
)

select
    quarters.year,
    quarters.quarter,
    returns.communes_expected::integer as communes_expected,
    returns.communes_accepted::integer as communes_accepted,
    returns.communes_on_time::integer as communes_on_time,
    targets_met.admissions_quarter::integer as admissions_quarter,
    targets_met.admissions_ytd::integer as admissions_ytd,
    targets_met.admissions_target::integer as admissions_target,
    100.0 * targets_met.ytd_with_target / nullif(targets_met.admissions_target, 0)
        as achievement_pct,
    coalesce(meetings_summed.cells, 0)::integer as cells,
    coalesce(meetings_summed.cells_met_every_month, 0)::integer as cells_met_every_month,
    100.0 * meetings_summed.cells_met_every_month / nullif(meetings_summed.cells, 0)
        as pct_met_every_month,
    coalesce(meetings_summed.cells_thematic, 0)::integer as cells_thematic,
    100.0 * meetings_summed.cells_thematic / nullif(meetings_summed.cells, 0) as pct_thematic,
    100.0 * attendance.attendees / nullif(attendance.members_expected, 0) as attendance_rate,
    coalesce(stale.stale_cells, 0)::integer as stale_cells,
    coalesce(members.official_members, 0)::integer as official_members,
    coalesce(members.probationary_members, 0)::integer as probationary_members,
    assigned.pct_cells_with_assigned_member,
    assigned.pct_assigned_present,
    assigned.pct_rated_good
from staging.quarters as quarters
left join returns using (year, quarter)
left join targets_met using (year, quarter)
left join meetings_summed using (year, quarter)
left join attendance using (year, quarter)
left join members using (year, quarter)
left join stale using (year, quarter)
left join assigned using (year, quarter)
order by quarters.year, quarters.quarter;
