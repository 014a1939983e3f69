-- Candidates brought forward by each mass organisation against its target (SPEC §6).
-- Grain: one row per row of referral_targets and quarter of its year; province rows
-- (commune_code NULL) sum the communes that have a target for that organisation.

create table referrals_vs_target as
with

by_commune as (
    select
        referral_targets.commune_code,
        quarters.year,
        quarters.quarter,
        referral_targets.referred_by,
        count(admissions.admitted_on)::integer as referrals_ytd,
        referral_targets.referrals_target
    from referral_targets
    inner join staging.quarters as quarters
        on quarters.year = referral_targets.year
    left join admissions
        on admissions.commune_code = referral_targets.commune_code
        and admissions.referred_by = referral_targets.referred_by
        and year(admissions.admitted_on) = quarters.year
        and quarter(admissions.admitted_on) <= quarters.quarter
    group by all
),

by_province as (
    select
        null::varchar as commune_code,
        year,
        quarter,
        referred_by,
        sum(referrals_ytd)::integer as referrals_ytd,
        sum(referrals_target)::integer as referrals_target
    from by_commune
    group by all
),

combined as (
    select * from by_commune
    union all
    select * from by_province
)

select
    *,
    100.0 * referrals_ytd / nullif(referrals_target, 0) as achievement_pct
from combined
order by year, quarter, commune_code nulls last, referred_by;
