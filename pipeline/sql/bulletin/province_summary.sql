-- The province row of the period, with the admissions its achievement counts: those of
-- the communes that have a target (SPEC §6), so a page can show the fraction behind the
-- percentage. Grain: one row.
with

with_target as (
    select
        sum(admissions_ytd) filter (where admissions_target is not null)
            as admissions_ytd_with_target
    from admissions_vs_target
    where year = $year and quarter = $quarter
)

select
    province_summary.*,
    province_summary.official_members + province_summary.probationary_members as members,
    with_target.admissions_ytd_with_target,
    (25 * province_summary.quarter)::double as expected_pct
from province_summary
cross join with_target
where province_summary.year = $year and province_summary.quarter = $quarter;
