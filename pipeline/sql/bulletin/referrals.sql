-- Referral targets of the mass organisations for the period.
-- Grain: one row per commune (NULL = province) and organisation.
select *
from referrals_vs_target
where year = $year and quarter = $quarter
order by commune_code nulls first, referred_by;
