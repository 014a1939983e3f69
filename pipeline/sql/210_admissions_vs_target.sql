-- Admissions against the annual target (SPEC §6).
-- Grain: one row per commune of `communes` and quarter of staging.quarters, so a commune
-- that did not report still appears.

create table admissions_vs_target as
with

admitted as (
    select
        commune_code,
        year(admitted_on)::integer as year,
        quarter(admitted_on)::integer as quarter,
        count(*) as admissions
    from admissions
    group by all
),

grid as (
    select
        communes.commune_code,
        quarters.year,
        quarters.quarter
    from communes
    cross join staging.quarters as quarters
),

counted as (
    select
        grid.commune_code,
        grid.year,
        grid.quarter,
        coalesce(sum(admitted.admissions) filter (where admitted.quarter = grid.quarter), 0)
            as admissions_quarter,
        coalesce(sum(admitted.admissions) filter (where admitted.quarter <= grid.quarter), 0)
            as admissions_ytd
    from grid
    left join admitted
        on admitted.commune_code = grid.commune_code
        and admitted.year = grid.year
    group by all
),

final as (
    select
        counted.commune_code,
        counted.year,
        counted.quarter,
        counted.admissions_quarter::integer as admissions_quarter,
        counted.admissions_ytd::integer as admissions_ytd,
        targets.admissions_target,
        100.0 * counted.admissions_ytd / nullif(targets.admissions_target, 0) as achievement_pct,
        (25 * counted.quarter)::double as expected_pct
    from counted
    left join targets
        on targets.commune_code = counted.commune_code
        and targets.year = counted.year
)

select
    *,
    achievement_pct >= expected_pct as on_pace
from final
order by year, quarter, commune_code;
