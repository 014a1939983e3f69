-- Committee members assigned to cells and meeting ratings by cluster, then for the
-- province (cluster NULL, last), for the period, from the cells' figures: sums of
-- numerators over sums of denominators over the returns that report them, as
-- province_summary does (a cluster where none does: NULL figures).
-- Grain: one row per cluster, then the province.
with

cells as (
    select
        communes.cluster,
        cell.*
    from staging.cell_quarters as cell
    inner join communes using (commune_code)
    where cell.year = $year and cell.quarter = $quarter
),

grouped as (
    select
        grouping(cluster) = 1 as province,
        cluster,
        count(distinct commune_code) filter (where assigned_member_reported)
            as communes_reporting,
        100.0 * count(assigned_member) filter (where assigned_member_reported)
            / nullif(count(*) filter (where assigned_member_reported), 0)
            as pct_cells_with_assigned_member,
        100.0 * sum(meetings_assigned_present)
            filter (where attended_reported and assigned_member is not null)
            / nullif(sum(months_met)
                filter (where attended_reported and assigned_member is not null), 0)
            as pct_assigned_present,
        count(*) filter (
            where attended_reported and assigned_member is not null
            and months_met > 0 and meetings_assigned_present = 0
        ) as cells_assigned_absent,
        100.0 * sum(meetings_rated_good) filter (where rating_reported)
            / nullif(sum(meetings_rated) filter (where rating_reported), 0) as pct_rated_good,
        sum(meetings_rated_poor) filter (where rating_reported) as meetings_rated_poor
    from cells
    group by grouping sets ((cluster), ())
)

select
    cluster,
    province,
    communes_reporting::integer as communes_reporting,
    pct_cells_with_assigned_member,
    pct_assigned_present,
    cells_assigned_absent::integer as cells_assigned_absent,
    pct_rated_good,
    meetings_rated_poor::integer as meetings_rated_poor
from grouped
where province or cluster is not null
order by province, cluster;
