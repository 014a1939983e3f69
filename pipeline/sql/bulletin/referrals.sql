-- Referral targets of the mass organisations for the period, with the number of communes
-- each figure covers: only those given a target for that organisation.
-- Grain: one row per commune (NULL = province) and organisation.
with

covered as (
    select year, referred_by, count(distinct commune_code) as communes
    from referral_targets
    group by all
)

select
    referrals_vs_target.*,
    case when referrals_vs_target.commune_code is null then covered.communes else 1 end
        as communes
from referrals_vs_target
inner join covered using (year, referred_by)
where referrals_vs_target.year = $year and referrals_vs_target.quarter = $quarter
order by referrals_vs_target.commune_code nulls first, referrals_vs_target.referred_by;
